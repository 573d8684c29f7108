//! Shannon entropy, the floor that separates random keys from words and repeated characters.

/// Shannon entropy of `s` in bits per byte. Random base64 scores near 6, hex near 4, English
/// words near 3, so a floor per rule rejects `aaaaaaaa` and `passwordpassword` cheaply.
pub fn shannon(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[usize::from(b)] += 1;
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::shannon;

    #[test]
    fn uniform_and_constant_strings() {
        assert_eq!(shannon(b""), 0.0);
        assert_eq!(shannon(b"aaaaaaaa"), 0.0);
        assert!((shannon(b"abcd") - 2.0).abs() < 1e-9);
        assert!((shannon(b"0123456789abcdef") - 4.0).abs() < 1e-9);
    }

    #[test]
    fn random_looking_beats_words() {
        assert!(shannon(b"wJalrXUtnFEMIK7MDENGbPxRfiCYzq3kL9") > 4.5);
        assert!(shannon(b"passwordpassword") < 3.0);
    }
}
