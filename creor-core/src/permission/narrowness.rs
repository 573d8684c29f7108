//! Narrowness between two patterns (POLICY.md "Decision" §2): rule A is narrower than B when
//! B's pattern matches A's pattern *text*, where a wildcard in A can only be consumed by a
//! wildcard in B. Patterns are compared as token strings so the test is independent of any
//! subject and can be computed once per pair.

use std::collections::HashMap;

/// One token of a pattern text, shared by path, bash and text patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tok {
    /// A literal character.
    Lit(char),
    /// `?` in a path pattern: one character, not `/`.
    One,
    /// `*` in a path pattern: any run within one segment.
    Seg,
    /// `*` in a bash or text pattern, or a standalone `**`: anything at all.
    Any,
    /// `**/` in a path pattern: nothing, or any run ending in `/`.
    AnyDirs,
    /// A trailing `/**` in a path pattern: nothing, or `/` and anything.
    AnySuffix,
    /// A trailing ` *` in a bash pattern: nothing, or a space and anything.
    OptTail,
}

/// Whether every text `narrow` can match is matched by `broad` (`broad` ⊇ `narrow`).
pub fn subsumes(broad: &[Tok], narrow: &[Tok]) -> bool {
    let mut memo = HashMap::new();
    sub(broad, narrow, 0, 0, &mut memo)
}

fn sub(b: &[Tok], a: &[Tok], i: usize, j: usize, memo: &mut HashMap<(usize, usize), bool>) -> bool {
    if let Some(&v) = memo.get(&(i, j)) {
        return v;
    }
    let v = sub_inner(b, a, i, j, memo);
    memo.insert((i, j), v);
    v
}

fn in_segment(t: Tok) -> bool {
    match t {
        Tok::Lit(c) => c != '/',
        Tok::One | Tok::Seg => true,
        _ => false,
    }
}

fn sub_inner(
    b: &[Tok],
    a: &[Tok],
    i: usize,
    j: usize,
    memo: &mut HashMap<(usize, usize), bool>,
) -> bool {
    let Some(&bt) = b.get(i) else {
        return j == a.len();
    };
    let at = a.get(j).copied();
    match bt {
        Tok::Lit(c) => at == Some(Tok::Lit(c)) && sub(b, a, i + 1, j + 1, memo),
        Tok::One => {
            let consumable =
                matches!(at, Some(Tok::One)) || matches!(at, Some(Tok::Lit(c)) if c != '/');
            consumable && sub(b, a, i + 1, j + 1, memo)
        }
        Tok::Seg => {
            sub(b, a, i + 1, j, memo) || (at.is_some_and(in_segment) && sub(b, a, i, j + 1, memo))
        }
        Tok::Any => sub(b, a, i + 1, j, memo) || (at.is_some() && sub(b, a, i, j + 1, memo)),
        Tok::AnyDirs => {
            if sub(b, a, i + 1, j, memo) {
                return true;
            }
            // Consume a[j..k] when it ends in `/` or in A's own `**/`.
            (j..a.len()).any(|k| {
                matches!(a[k], Tok::Lit('/') | Tok::AnyDirs) && sub(b, a, i + 1, k + 1, memo)
            })
        }
        Tok::AnySuffix => {
            i + 1 == b.len() && (at.is_none() || matches!(at, Some(Tok::Lit('/') | Tok::AnySuffix)))
        }
        Tok::OptTail => {
            i + 1 == b.len() && (at.is_none() || matches!(at, Some(Tok::Lit(' ') | Tok::OptTail)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Vec<Tok> {
        s.chars()
            .map(|c| match c {
                '*' => Tok::Any,
                c => Tok::Lit(c),
            })
            .collect()
    }

    #[test]
    fn star_consumes_literal_and_star() {
        assert!(subsumes(&lit("git *"), &lit("git push *")));
        assert!(!subsumes(&lit("git push *"), &lit("git *")));
        assert!(subsumes(&lit("*"), &lit("anything")));
        assert!(!subsumes(&lit("git"), &lit("git *")));
    }

    #[test]
    fn opt_tail_matches_zero_or_space() {
        let mut b = lit("git");
        b.push(Tok::OptTail);
        assert!(subsumes(&b, &lit("git")));
        assert!(subsumes(&b, &lit("git push")));
        assert!(!subsumes(&b, &lit("gitk")));
    }

    #[test]
    fn segment_star_does_not_cross() {
        let b = vec![Tok::Lit('a'), Tok::Lit('/'), Tok::Seg];
        assert!(subsumes(&b, &[Tok::Lit('a'), Tok::Lit('/'), Tok::Lit('x')]));
        assert!(!subsumes(
            &b,
            &[
                Tok::Lit('a'),
                Tok::Lit('/'),
                Tok::Lit('x'),
                Tok::Lit('/'),
                Tok::Lit('y')
            ]
        ));
        assert!(!subsumes(&b, &[Tok::Lit('a'), Tok::Lit('/'), Tok::Any]));
    }

    #[test]
    fn any_dirs_prefix() {
        let b = vec![Tok::AnyDirs, Tok::Lit('x')];
        assert!(subsumes(&b, &[Tok::Lit('x')]));
        assert!(subsumes(&b, &[Tok::Lit('d'), Tok::Lit('/'), Tok::Lit('x')]));
        assert!(subsumes(&b, &[Tok::AnyDirs, Tok::Lit('x')]));
        assert!(!subsumes(&b, &[Tok::Lit('d'), Tok::Lit('x')]));
    }
}
