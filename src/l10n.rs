//! Every text a clerk or a script's user reads, in the configured language:
//! one Fluent file per language (`locales/zh-CN.ftl`, `locales/en.ftl`),
//! embedded at build time. Code names a message by its id ([`tr!`]); the
//! names of the domain's enums are in [`names`] and what a refusal says in
//! [`say`], one translation each. Fluent's bidi isolation marks are off: they
//! would show on a terminal and in a script's output.

pub mod names;
pub mod say;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::Lang;

pub use say::{payment, Say};

/// The simplified Chinese messages.
pub const ZH_CN_FTL: &str = include_str!("../locales/zh-CN.ftl");
/// The English messages.
pub const EN_FTL: &str = include_str!("../locales/en.ftl");

/// The locale file of a language.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => ZH_CN_FTL,
        Lang::En => EN_FTL,
    }
}

/// One language's messages, parsed once; the messages without arguments
/// are formatted once too, so the screens take them as `&'static str`.
pub struct Locale {
    bundle: FluentBundle<FluentResource>,
    plain: HashMap<String, String>,
    /// The plain messages again by family and code (`kind`, `dibao`), looked up without building the id.
    coded: HashMap<String, HashMap<String, String>>,
}

impl Locale {
    fn load(lang: Lang) -> Locale {
        let tag: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![tag]);
        bundle.set_use_isolating(false);
        // The shipped files are checked by the tests; a broken one would show ids, not crash.
        let resource = FluentResource::try_new(source(lang).to_string()).unwrap_or_else(|(partial, errors)| {
            tracing::error!(?errors, "the {} locale file does not parse", lang.code());
            partial
        });
        let ids = message_ids(&resource);
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(?errors, "the {} locale file repeats a message", lang.code());
        }
        let mut plain = HashMap::new();
        for id in ids {
            let Some(pattern) = bundle.get_message(&id).and_then(|m| m.value()) else { continue };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, None, &mut errors).into_owned();
            if errors.is_empty() {
                plain.insert(id, text);
            }
        }
        let mut coded: HashMap<String, HashMap<String, String>> = HashMap::new();
        for (id, text) in &plain {
            if let Some((family, code)) = id.split_once('-') {
                coded.entry(family.to_string()).or_default().insert(code.to_string(), text.clone());
            }
        }
        Locale { bundle, plain, coded }
    }

    fn format(&self, id: &str, args: &[(&str, Arg)]) -> Option<String> {
        let message = self.bundle.get_message(id)?;
        let pattern = message.value()?;
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent.set(*name, value.to_fluent());
        }
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, Some(&fluent), &mut errors).into_owned();
        if !errors.is_empty() {
            tracing::warn!(id, ?errors, "a message was formatted with missing arguments");
        }
        Some(text)
    }

    /// An attribute of a message (`id.name`), formatted with `args`.
    fn attribute(&self, id: &str, name: &str, args: &[(&str, Arg)]) -> Option<String> {
        let attribute = self.bundle.get_message(id)?.get_attribute(name)?;
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (arg, value) in args {
            fluent.set(*arg, value.to_fluent());
        }
        let mut errors = Vec::new();
        Some(self.bundle.format_pattern(attribute.value(), Some(&fluent), &mut errors).into_owned())
    }
}

/// The message ids a resource defines, in file order.
pub fn message_ids(resource: &FluentResource) -> Vec<String> {
    use fluent_syntax::ast::Entry;
    resource
        .entries()
        .filter_map(|e| match e {
            Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

/// The parsed messages of a language.
pub fn locale(lang: Lang) -> &'static Locale {
    static ZH_CN: OnceLock<Locale> = OnceLock::new();
    static EN: OnceLock<Locale> = OnceLock::new();
    match lang {
        Lang::ZhCn => ZH_CN.get_or_init(|| Locale::load(Lang::ZhCn)),
        Lang::En => EN.get_or_init(|| Locale::load(Lang::En)),
    }
}

/// A message without arguments. An id the file lacks (the tests make sure
/// none does) shows as itself.
pub fn text(lang: Lang, id: &'static str) -> &'static str {
    lookup(lang, id).unwrap_or(id)
}

/// A message without arguments, by an id made at run time (`kind-dibao`).
pub fn lookup(lang: Lang, id: &str) -> Option<&'static str> {
    locale(lang).plain.get(id).map(String::as_str)
}

/// The message `{family}-{code}` without arguments (`kind`, `dibao`: `kind-dibao`).
pub fn coded(lang: Lang, family: &str, code: &str) -> Option<&'static str> {
    locale(lang).coded.get(family)?.get(code).map(String::as_str)
}

/// A message with its arguments.
pub fn format(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    locale(lang).format(id, args).unwrap_or_else(|| id.to_string())
}

/// An attribute of a message (`printer-paper_out.advice`).
pub fn attribute(lang: Lang, id: &str, name: &str, args: &[(&str, Arg)]) -> String {
    locale(lang).attribute(id, name, args).unwrap_or_else(|| format!("{id}.{name}"))
}

/// A value handed to a message: text, or a number (which plural forms select on).
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    Number(i64),
}

impl Arg<'_> {
    fn to_fluent(&self) -> FluentValue<'_> {
        match self {
            Arg::Text(t) => FluentValue::from(t.as_ref()),
            Arg::Number(n) => FluentValue::from(*n),
        }
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Arg<'a> {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Arg<'a> {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}

impl From<char> for Arg<'_> {
    fn from(c: char) -> Self {
        Arg::Text(Cow::Owned(c.to_string()))
    }
}

impl From<crate::domain::Money> for Arg<'_> {
    fn from(m: crate::domain::Money) -> Self {
        Arg::Text(Cow::Owned(m.to_string()))
    }
}

impl From<&crate::domain::CaseId> for Arg<'_> {
    fn from(id: &crate::domain::CaseId) -> Self {
        Arg::Text(Cow::Owned(id.to_string()))
    }
}

impl From<chrono::NaiveDate> for Arg<'_> {
    /// `2026-11-30`.
    fn from(d: chrono::NaiveDate) -> Self {
        Arg::Text(Cow::Owned(d.format("%Y-%m-%d").to_string()))
    }
}

macro_rules! number_args {
    ($($t:ty),+) => {
        $(impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
            }
        })+
    };
}
number_args!(u8, u16, u32, u64, usize, i32, i64);

/// A message of the locale files in the language given: `tr!(lang, "queue-title")`
/// (a `&'static str`), or with arguments `tr!(lang, "called", ticket = 5)` (a `String`).
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:literal) => {
        $crate::l10n::text($lang, $id)
    };
    ($lang:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::l10n::format($lang, $id, &[$((stringify!($name), $crate::l10n::Arg::from($value))),+])
    };
}

#[cfg(test)]
mod tests;
