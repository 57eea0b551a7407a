//! The two languages of the counter: simplified Chinese (the default) and
//! English. What each says is in the locale files (see `l10n`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s.trim() {
            "zh-CN" | "zh" | "zh_CN" => Ok(Lang::ZhCn),
            "en" | "en-US" | "en_US" => Ok(Lang::En),
            other => Err(format!("'{other}' is not a supported language; expected zh-CN or en")),
        }
    }
}
