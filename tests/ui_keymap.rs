//! Keymaps are data: every shipped map loads and describes every binding in
//! both languages; a duplicate key, an unknown action or a missing description
//! is refused with the file and the line; a clerk's file merges over the default.

use crossterm::event::{KeyCode, KeyModifiers};
use onedoor::ui::action::Action;
use onedoor::ui::keymap::{Key, Keymap, Section, DEFAULT_TOML, LAPTOP_TOML};
use onedoor::Lang;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_shipped_keymap_loads_with_descriptions_in_both_languages() {
    for (file, text) in [("keymaps/default.toml", DEFAULT_TOML), ("keymaps/laptop.toml", LAPTOP_TOML)] {
        let map = Keymap::parse(text, file).unwrap_or_else(|e| panic!("{e}"));
        for s in Section::ALL {
            for b in map.bindings(s) {
                for lang in [Lang::ZhCn, Lang::En] {
                    let d = b.desc.text(lang);
                    assert!(!d.is_empty(), "{file} {:?} {}", s, b.key);
                }
                assert_ne!(b.desc.text(Lang::ZhCn), b.desc.text(Lang::En), "{}", b.key);
            }
        }
    }
    for setting in ["default", "laptop"] {
        Keymap::load(setting).unwrap();
    }
}

#[test]
fn the_default_keymap_has_the_counter_keys() {
    let map = Keymap::load("default").unwrap();
    let k = |s: &str| Key::parse(s).unwrap();
    assert_eq!(map.action(Section::Queue, k("F1")), Some(Action::Help));
    assert_eq!(map.action(Section::Queue, k("F2")), Some(Action::NewCase));
    assert_eq!(map.action(Section::Queue, k("F3")), Some(Action::Search));
    assert_eq!(map.action(Section::Queue, k("F5")), Some(Action::CallNext));
    assert_eq!(map.action(Section::Intake, k("F10")), Some(Action::Save));
    assert_eq!(map.action(Section::Intake, k("Ctrl+S")), Some(Action::Save));
    assert_eq!(map.action(Section::Intake, k("Esc")), Some(Action::Back));
    assert_eq!(map.action(Section::Intake, k("Tab")), Some(Action::NextField));
    assert_eq!(map.action(Section::Intake, k("Shift+Tab")), Some(Action::PrevField));
    assert_eq!(map.action(Section::Queue, k("Enter")), Some(Action::Select));
    assert_eq!(map.action(Section::Queue, k("PgDn")), Some(Action::PageDown));
    assert_eq!(map.action(Section::Detail, k("Ctrl+Q")), Some(Action::Quit));
    // A terminal's Shift+Tab arrives as BackTab.
    let backtab = Key::new(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(map.action(Section::Intake, backtab), Some(Action::PrevField));
}

#[test]
fn the_laptop_keymap_needs_no_function_keys() {
    let map = Keymap::load("laptop").unwrap();
    let k = |s: &str| Key::parse(s).unwrap();
    assert_eq!(map.action(Section::Queue, k("Alt+5")), Some(Action::CallNext));
    assert_eq!(map.action(Section::Queue, k("Ctrl+N")), Some(Action::NewCase));
    assert_eq!(map.action(Section::Queue, k("Ctrl+F")), Some(Action::Search));
    assert_eq!(map.action(Section::Intake, k("Ctrl+S")), Some(Action::Save));
    assert_eq!(map.action(Section::Intake, k("Alt+4")), Some(Action::Hold));
    assert_eq!(map.action(Section::Detail, k("Alt+0")), Some(Action::Help));
    // The function keys still work.
    assert_eq!(map.action(Section::Queue, k("F5")), Some(Action::CallNext));
}

#[test]
fn a_key_bound_twice_is_refused_with_the_line() {
    let err = Keymap::load(&fixture("keymap_duplicate.toml")).unwrap_err();
    assert_eq!(err.line, 4);
    assert_eq!(
        err.to_string(),
        format!("{}:4: the key F5 is bound twice in [queue] (first on line 3)", fixture("keymap_duplicate.toml"))
    );
}

#[test]
fn an_unknown_action_is_refused_with_the_line() {
    let err = Keymap::load(&fixture("keymap_unknown_action.toml")).unwrap_err();
    assert_eq!(err.to_string(), format!("{}:5: unknown action 'call_nxet'", fixture("keymap_unknown_action.toml")));
}

#[test]
fn an_action_bound_where_it_does_nothing_is_refused_with_the_line() {
    let err = Keymap::load(&fixture("keymap_wrong_section.toml")).unwrap_err();
    assert_eq!(err.line, 4, "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("{}:4: 'refer' does nothing in [queue]", fixture("keymap_wrong_section.toml"))),
        "{err}"
    );
    assert!(err.problem.contains("call_next") && err.problem.contains("quit"), "it says what the section takes: {err}");
    // Every binding of the shipped maps does something where it is.
    for setting in ["default", "laptop"] {
        let map = Keymap::load(setting).unwrap();
        for s in Section::ALL {
            for b in map.bindings(s) {
                assert!(s.actions().contains(&b.action), "{setting} [{}] {}", s.name(), b.key);
            }
        }
    }
}

#[test]
fn a_binding_without_a_description_is_refused() {
    let err = Keymap::load(&fixture("keymap_no_desc.toml")).unwrap_err();
    assert!(err.to_string().ends_with(":2: the binding of Ctrl+P has no desc"), "{err}");
}

#[test]
fn bad_keys_sections_and_syntax_name_the_line() {
    let err = Keymap::parse("\n\nqueue = [ { key = \"Hyper+X\", action = \"help\", desc = \"help\" } ]\n", "k.toml")
        .unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.problem.contains("'Hyper+X' is not a key"), "{err}");
    let err = Keymap::parse("\nlobby = []\n", "k.toml").unwrap_err();
    assert_eq!((err.line, err.problem.contains("unknown section [lobby]")), (2, true), "{err}");
    let err = Keymap::parse("queue = [\n  { key = \"F1\" \n", "k.toml").unwrap_err();
    assert!(err.to_string().starts_with("k.toml:"), "{err}");
}

#[test]
fn a_clerks_file_merges_over_the_default() {
    let map = Keymap::load(&fixture("keymap_user.toml")).unwrap();
    let k = |s: &str| Key::parse(s).unwrap();
    assert_eq!(map.action(Section::Queue, k("F9")), Some(Action::CallNext));
    assert_eq!(map.action(Section::Queue, k("F5")), Some(Action::Search));
    assert_eq!(map.action(Section::Queue, k("F2")), Some(Action::NewCase));
    let f9 = map.bindings(Section::Queue).iter().find(|b| b.key == k("F9")).unwrap();
    assert_eq!(f9.desc.text(Lang::ZhCn), "叫下一位");
    assert_eq!(f9.desc.text(Lang::En), "next person");
}

#[test]
fn keys_print_as_they_parse() {
    for s in ["F5", "Ctrl+S", "Alt+1", "Shift+Tab", "PgDn", "Esc", "Enter", "Space", "a"] {
        assert_eq!(Key::parse(s).unwrap().to_string(), s);
    }
    assert_eq!(Key::parse("ctrl+s"), Key::parse("Ctrl+S"));
    assert_eq!(
        Key::parse("Ctrl+S").unwrap(),
        Key::new(KeyCode::Char('S'), KeyModifiers::CONTROL | KeyModifiers::SHIFT)
    );
}

#[test]
fn every_action_has_a_snake_case_name() {
    for a in Action::ALL {
        let name = serde_json::to_string(a).unwrap();
        let name = name.trim_matches('"');
        assert_eq!(Action::from_name(name), Some(*a));
    }
    assert_eq!(Action::from_name("CallNext"), None);
}
