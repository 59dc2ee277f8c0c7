//! The README's settings tables and the variables `src/config/` reads are the same set: no undocumented setting,
//! no documented one that nothing reads, and every row gives a default and its bounds. No server needed.

use std::collections::BTreeSet;
use std::path::Path;

/// How the README writes a per-provider variable (`AUTHD_OIDC_<NAME>_ISSUER`).
const PROVIDER_ROW_PREFIX: &str = "AUTHD_OIDC_<NAME>_";

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The non-test part of every file of `src/config/` (test modules set variables that nothing reads).
fn config_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/config");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        // The list of known names, not a reader: held to this same README below.
        .filter(|path| !path.ends_with("known.rs"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("\n#[cfg(test)]").next().unwrap().to_owned();
            (path.display().to_string(), code)
        })
        .collect()
}

/// Every string literal that is exactly a variable name (`"AUTHD_BIND"`); prefixes (`"AUTHD_OIDC_"`) and
/// messages that mention a name are not reads.
fn literal_names(code: &str) -> BTreeSet<String> {
    code.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("AUTHD_") && !s.ends_with('_'))
        .filter(|s| {
            s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
        .map(str::to_owned)
        .collect()
}

/// The suffixes read under a provider's prefix: `{prefix}SCOPES` in a format string, or `required("ISSUER")`.
fn provider_suffixes(code: &str) -> BTreeSet<String> {
    let upper = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_uppercase() || *c == '_')
            .collect()
    };
    let mut found: BTreeSet<String> = code.split("{prefix}").skip(1).map(upper).collect();
    found.extend(code.split("required(\"").skip(1).map(upper));
    found.retain(|s| !s.is_empty());
    found
}

/// The variables the code reads, per-provider ones written as the README writes them.
fn variables_read() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (file, code) in config_sources() {
        names.extend(literal_names(&code));
        if code.contains("{prefix}") {
            let suffixes = provider_suffixes(&code);
            assert!(!suffixes.is_empty(), "{file}: no per-provider suffix found");
            names.extend(suffixes.iter().map(|s| format!("{PROVIDER_ROW_PREFIX}{s}")));
        }
    }
    names
}

/// The rows of the tables under `## Settings`: (variable, cells).
fn readme_rows() -> Vec<(String, Vec<String>)> {
    let readme = read("README.md");
    let start = readme
        .find("\n## Settings\n")
        .expect("README.md has a ## Settings section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    section
        .lines()
        .filter(|line| line.starts_with("| `AUTHD_"))
        .map(|line| {
            let cells: Vec<String> = line
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect();
            (cells[0].trim_matches('`').to_owned(), cells)
        })
        .collect()
}

#[test]
fn every_setting_the_code_reads_has_a_readme_row_and_every_row_is_read() {
    let read_by_code = variables_read();
    let rows = readme_rows();
    let documented: BTreeSet<String> = rows.iter().map(|(name, _)| name.clone()).collect();
    assert_eq!(documented.len(), rows.len(), "a variable has two rows");
    let undocumented: Vec<_> = read_by_code.difference(&documented).collect();
    let unread: Vec<_> = documented.difference(&read_by_code).collect();
    assert!(
        undocumented.is_empty() && unread.is_empty(),
        "README's settings tables and src/config/ disagree:\n  read but not in the README: {undocumented:?}\n  \
         in the README but read nowhere: {unread:?}"
    );
    // The list start-up warns against (an unknown variable is a typo) is the same set.
    let known: BTreeSet<String> = authd::config::known::SETTINGS
        .iter()
        .map(|name| (*name).to_owned())
        .chain(
            authd::config::known::PROVIDER_SUFFIXES
                .iter()
                .map(|suffix| format!("{PROVIDER_ROW_PREFIX}{suffix}")),
        )
        .collect();
    assert_eq!(
        known, documented,
        "src/config/known.rs and README's settings tables disagree"
    );
    // Guards the parsers above: a change that makes them find nothing must not pass as "equal".
    assert!(read_by_code.len() > 60, "only {read_by_code:?}");
    assert!(read_by_code.contains("AUTHD_OIDC_<NAME>_CLIENT_SECRET"));
}

#[test]
fn every_settings_row_gives_a_default_bounds_and_a_meaning() {
    for (name, cells) in readme_rows() {
        assert_eq!(
            cells.len(),
            4,
            "{name}: want | variable | default | bounds | meaning |"
        );
        for (cell, what) in cells[1..].iter().zip(["default", "bounds", "meaning"]) {
            assert!(!cell.is_empty(), "{name}: no {what}");
        }
    }
}

#[test]
fn the_scanners_see_reads_and_not_messages_or_tests() {
    let code = r#"vars.raw("AUTHD_X"); err("AUTHD_Y must be set"); let p = "AUTHD_OIDC_"; required("ISSUER"); format!("{prefix}SCOPES");"#;
    assert_eq!(literal_names(code), BTreeSet::from(["AUTHD_X".to_owned()]));
    assert_eq!(
        provider_suffixes(code),
        BTreeSet::from(["ISSUER".to_owned(), "SCOPES".to_owned()])
    );
}
