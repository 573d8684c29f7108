#![allow(clippy::unwrap_used)]
use super::*;

fn err(text: &str) -> SyntaxError {
    parse(text).unwrap_err()
}

#[test]
fn lines_of_keys_and_values() {
    let t = parse("{\n  \"a\": 1,\n  \"b\": {\n    \"c\": [true,\n null]\n  }\n}").unwrap();
    assert_eq!(t.line, 1);
    let a = [Seg::Key("a".into())];
    assert_eq!(t.line_of(&a), 2);
    let c1 = [Seg::Key("b".into()), Seg::Key("c".into()), Seg::Index(1)];
    assert_eq!(t.line_of(&c1), 5);
    assert_eq!(t.get(&c1).unwrap().value, Value::Null);
    // A missing path maps to the deepest existing ancestor.
    let missing = [Seg::Key("b".into()), Seg::Key("zz".into())];
    assert_eq!(t.line_of(&missing), 3);
}

#[test]
fn comments_are_whitespace_and_keep_line_numbers() {
    let text = "// head\n{ /* a\n b\n c */ \"x\": \"//not a comment\", // tail\n  \"y\": \"/* nor this */\"\n}\n";
    let t = parse(text).unwrap();
    assert_eq!(t.line_of(&[Seg::Key("x".into())]), 4);
    assert_eq!(t.line_of(&[Seg::Key("y".into())]), 5);
    assert_eq!(
        t.get(&[Seg::Key("x".into())]).unwrap().value,
        Value::String("//not a comment".into())
    );
}

#[test]
fn unterminated_block_comment_names_its_start() {
    let e = err("{\n\n /* never\n closed\n");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("unterminated"), "{e}");
}

#[test]
fn lone_slash_is_an_error() {
    assert_eq!(err("{\n / \"a\": 1}").line, 2);
}

#[test]
fn duplicate_keys_at_any_depth() {
    let e = err("{\n \"a\": 1,\n \"a\": 2\n}");
    assert_eq!((e.line, e.path.as_str()), (3, "a"));
    assert!(
        e.message
            .contains("duplicate key (first defined on line 2)"),
        "{e}"
    );
    let e = err("{\"p\": {\n \"bash\": {\n  \"rm *\": \"deny\",\n  \"rm *\": \"allow\"}}}");
    assert_eq!((e.line, e.path.as_str()), (4, "p.bash[\"rm *\"]"));
    let e = err("[{\"x\": 1}, {\"y\": 1,\n\"y\": 2}]");
    assert_eq!((e.line, e.path.as_str()), (2, "[1].y"));
}

#[test]
fn escaped_duplicate_is_still_a_duplicate() {
    // "\u0061" is "a": keys compare after unescaping.
    let e = err("{\"a\": 1, \"\\u0061\": 2}");
    assert!(e.message.contains("duplicate"), "{e}");
}

#[test]
fn trailing_commas_are_refused() {
    assert!(err("{\"a\": 1,\n}").message.contains("trailing comma"));
    assert!(err("[1,\n]").message.contains("trailing comma"));
}

#[test]
fn strictness_of_json_itself() {
    for bad in [
        "{'a': 1}",
        "{a: 1}",
        "{\"a\": 01}",
        "{\"a\": +1}",
        "{\"a\": .5}",
        "{\"a\": 1e}",
        "{\"a\": NaN}",
        "{\"a\": tru}",
        "{\"a\": \"x\\q\"}",
        "{\"a\": \"\\ud800\"}",
        "{\"a\": \"tab\there\"}",
        "{\"a\" 1}",
        "{\"a\": 1 \"b\": 2}",
        "{\"a\": 1}}",
        "{\"a\": 1} x",
        "",
        "   // only a comment\n",
        "{\"a\": 1e999}",
    ] {
        assert!(parse(bad).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn newline_in_string_reports_its_line() {
    let e = err("{\n\"a\": \"one\ntwo\"}");
    assert_eq!(e.line, 2);
}

#[test]
fn unicode_and_escapes_decode() {
    let t = parse("\u{feff}{\"k\\n\": \"\\u00e9\\ud83d\\ude00 ü\"}").unwrap();
    assert_eq!(t.to_json(), serde_json::json!({"k\n": "é😀 ü"}));
}

#[test]
fn numbers_keep_their_kind() {
    let t = parse("[0, -1, 1.5, 18446744073709551615]").unwrap();
    assert_eq!(
        t.to_json(),
        serde_json::json!([0, -1, 1.5, 18446744073709551615u64])
    );
}

#[test]
fn nesting_is_bounded() {
    let deep = "[".repeat(MAX_DEPTH + 1);
    let e = err(&deep);
    assert!(e.message.contains("nesting"), "{e}");
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
    assert!(parse(&ok).is_ok());
    // Far deeper than any stack would survive without the bound.
    assert!(parse(&"{\"a\":".repeat(100_000)).is_err());
}

#[test]
fn round_trips_through_serde_json() {
    let text = r#"{"a": [1, {"b": null, "c": false}], "d": "e"}"#;
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(parse(text).unwrap().to_json(), v);
    assert_eq!(Node::from_json(&v).to_json(), v);
}

#[test]
fn path_rendering() {
    let p = [
        Seg::Key("permissions".into()),
        Seg::Key("external-directory".into()),
        Seg::Key("~/src/**".into()),
        Seg::Index(0),
    ];
    assert_eq!(
        render_path(&p),
        "permissions.external-directory[\"~/src/**\"][0]"
    );
    assert_eq!(render_path(&[Seg::Key("$schema".into())]), "$schema");
}
