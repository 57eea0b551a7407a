//! The code tables printed in the card's chip: sex (GB/T 2261.1) and
//! ethnicity (GB 3304), with their names in Chinese and English.

use serde::Serialize;

use crate::domain::id_number::Sex;
use crate::{tr, Lang};

/// The sex code on the card (GB/T 2261.1-2003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardSex {
    /// 0 未知的性别
    NotKnown,
    /// 1 男
    Male,
    /// 2 女
    Female,
    /// 9 未说明的性别
    NotStated,
}

impl CardSex {
    pub fn from_code(code: &str) -> Option<CardSex> {
        match code {
            "0" => Some(CardSex::NotKnown),
            "1" => Some(CardSex::Male),
            "2" => Some(CardSex::Female),
            "9" => Some(CardSex::NotStated),
            _ => None,
        }
    }

    /// The sex as the case file records it, when the card states one.
    pub fn as_sex(self) -> Option<Sex> {
        match self {
            CardSex::Male => Some(Sex::Male),
            CardSex::Female => Some(Sex::Female),
            CardSex::NotKnown | CardSex::NotStated => None,
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            CardSex::NotKnown => tr!(lang, "card-sex-not_known"),
            CardSex::Male => tr!(lang, "card-sex-male"),
            CardSex::Female => tr!(lang, "card-sex-female"),
            CardSex::NotStated => tr!(lang, "card-sex-not_stated"),
        }
    }
}

/// An ethnicity code from the card (GB 3304) and its name, when the code is in the table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Ethnicity {
    pub code: String,
    /// The name as the case file records it ("汉"), `None` for a code not in the table.
    pub name: Option<&'static str>,
}

impl Ethnicity {
    pub fn from_code(code: &str) -> Ethnicity {
        let name = NATIONS.iter().find(|(c, _, _)| *c == code).map(|(_, zh, _)| *zh);
        Ethnicity { code: code.to_string(), name }
    }

    /// As written on the card face ("汉族") or in English ("Han").
    pub fn display(&self, lang: Lang) -> String {
        match NATIONS.iter().find(|(c, _, _)| *c == self.code) {
            // 穿青人, 其他 (codes 97, 98) are not 族.
            Some((_, zh, _)) if self.code.starts_with('9') && lang == Lang::ZhCn => (*zh).to_string(),
            Some((_, zh, en)) => tr!(lang, "card-ethnicity", name = *zh, english = *en),
            None => tr!(lang, "card-ethnicity-unknown", code = &self.code),
        }
    }
}

/// GB 3304-91: code, Chinese name, English name.
const NATIONS: [(&str, &str, &str); 58] = [
    ("01", "汉", "Han"),
    ("02", "蒙古", "Mongol"),
    ("03", "回", "Hui"),
    ("04", "藏", "Tibetan"),
    ("05", "维吾尔", "Uyghur"),
    ("06", "苗", "Miao"),
    ("07", "彝", "Yi"),
    ("08", "壮", "Zhuang"),
    ("09", "布依", "Bouyei"),
    ("10", "朝鲜", "Korean"),
    ("11", "满", "Manchu"),
    ("12", "侗", "Dong"),
    ("13", "瑶", "Yao"),
    ("14", "白", "Bai"),
    ("15", "土家", "Tujia"),
    ("16", "哈尼", "Hani"),
    ("17", "哈萨克", "Kazakh"),
    ("18", "傣", "Dai"),
    ("19", "黎", "Li"),
    ("20", "傈僳", "Lisu"),
    ("21", "佤", "Va"),
    ("22", "畲", "She"),
    ("23", "高山", "Gaoshan"),
    ("24", "拉祜", "Lahu"),
    ("25", "水", "Shui"),
    ("26", "东乡", "Dongxiang"),
    ("27", "纳西", "Naxi"),
    ("28", "景颇", "Jingpo"),
    ("29", "柯尔克孜", "Kyrgyz"),
    ("30", "土", "Tu"),
    ("31", "达斡尔", "Daur"),
    ("32", "仫佬", "Mulao"),
    ("33", "羌", "Qiang"),
    ("34", "布朗", "Blang"),
    ("35", "撒拉", "Salar"),
    ("36", "毛南", "Maonan"),
    ("37", "仡佬", "Gelao"),
    ("38", "锡伯", "Xibe"),
    ("39", "阿昌", "Achang"),
    ("40", "普米", "Pumi"),
    ("41", "塔吉克", "Tajik"),
    ("42", "怒", "Nu"),
    ("43", "乌孜别克", "Uzbek"),
    ("44", "俄罗斯", "Russian"),
    ("45", "鄂温克", "Evenki"),
    ("46", "德昂", "De'ang"),
    ("47", "保安", "Bonan"),
    ("48", "裕固", "Yugur"),
    ("49", "京", "Gin"),
    ("50", "塔塔尔", "Tatar"),
    ("51", "独龙", "Derung"),
    ("52", "鄂伦春", "Oroqen"),
    ("53", "赫哲", "Hezhen"),
    ("54", "门巴", "Monba"),
    ("55", "珞巴", "Lhoba"),
    ("56", "基诺", "Jino"),
    ("97", "其他", "other"),
    ("98", "外国血统中国籍人士", "Chinese citizen of foreign origin"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_complete_and_in_order() {
        for (i, (code, _, _)) in NATIONS.iter().take(56).enumerate() {
            assert_eq!(*code, format!("{:02}", i + 1));
        }
        assert_eq!(Ethnicity::from_code("46").name, Some("德昂"));
        assert_eq!(Ethnicity::from_code("01").display(Lang::ZhCn), "汉族");
        assert_eq!(Ethnicity::from_code("98").display(Lang::ZhCn), "外国血统中国籍人士");
        assert_eq!(Ethnicity::from_code("77").name, None);
    }

    #[test]
    fn sex_codes() {
        assert_eq!(CardSex::from_code("2"), Some(CardSex::Female));
        assert_eq!(CardSex::from_code("9"), Some(CardSex::NotStated));
        assert_eq!(CardSex::from_code("3"), None);
        assert_eq!(CardSex::Male.as_sex(), Some(Sex::Male));
    }
}
