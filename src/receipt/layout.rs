//! Laying receipt text out on the paper by display width: half-width ASCII is
//! one column, every double-byte GB character two, double size twice that.
//! Lines wrap (CJK anywhere, ASCII words whole, no closing punctuation at the
//! start of a line) and never run wider than the paper.

use super::encode::{printable, Charset};
use super::template::{Align, Block, Size};
use super::Line;

/// Columns a character takes on the printer in Chinese mode. Only meaningful
/// for text that went through `printable` (ASCII or double-byte GB).
pub fn char_columns(c: char) -> usize {
    if c.is_ascii() {
        1
    } else {
        2
    }
}

/// Columns a string takes on the printer at normal size.
pub fn columns_of(text: &str) -> usize {
    text.chars().map(char_columns).sum()
}

/// Punctuation that must not begin a line (禁则).
fn closes(token: &str) -> bool {
    matches!(
        token.chars().next(),
        Some(
            '，' | '。'
                | '、'
                | '；'
                | '：'
                | '！'
                | '？'
                | '）'
                | '》'
                | '」'
                | '』'
                | '】'
                | '”'
                | '’'
                | '…'
                | ','
                | '.'
                | ';'
                | ':'
                | '!'
                | '?'
                | ')'
        )
    )
}

/// Splits text into what may not be broken: ASCII words, single spaces, single wide characters.
fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii() && c != ' ' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        out.push(c.to_string());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The hanging indent for a `标签：值` line: continuation lines start under the value.
fn hang_of(text: &str, budget: usize) -> usize {
    let Some(pos) = text.find(['：', ':']) else {
        return 0;
    };
    let colon = text[pos..].chars().next().map(char::len_utf8).unwrap_or(1);
    let label = &text[..pos + colon];
    let w = columns_of(label);
    if w * 2 <= budget && !text[pos + colon..].trim().is_empty() {
        w
    } else {
        0
    }
}

/// Wraps `text` into lines of at most `budget` columns; `hang` columns of
/// indent on the lines after the first, unless the next word only fits
/// without it (a case id under its label on narrow paper).
pub fn wrap(text: &str, budget: usize, hang: usize) -> Vec<String> {
    struct Lines {
        done: Vec<String>,
        cur: Vec<String>,
        width: usize,
        indent: usize,
    }
    impl Lines {
        fn room(&self, budget: usize) -> usize {
            budget - self.indent
        }
        fn push(&mut self, tok: String) {
            self.width += columns_of(&tok);
            self.cur.push(tok);
        }
        fn flush(&mut self, next_indent: usize) {
            let text: String = self.cur.concat();
            self.done.push(format!("{}{}", " ".repeat(self.indent), text.trim_end()));
            self.cur.clear();
            self.width = 0;
            self.indent = next_indent;
        }
    }

    let budget = budget.max(2);
    let hang = if hang + 2 <= budget { hang } else { 0 };
    let mut l = Lines { done: Vec::new(), cur: Vec::new(), width: 0, indent: 0 };
    for tok in tokens(text) {
        if tok == " " {
            // Spaces inside a line are kept, so are those that start the text.
            if (!l.cur.is_empty() || l.done.is_empty()) && l.width < l.room(budget) {
                l.push(tok);
            }
            continue;
        }
        let w = columns_of(&tok);
        if l.width + w <= l.room(budget) {
            l.push(tok);
            continue;
        }
        // Does not fit: a closing mark takes the character before it along.
        let mut carried: Vec<String> = Vec::new();
        if closes(&tok) && l.cur.len() > 1 {
            if let Some(last) = l.cur.pop() {
                l.width -= columns_of(&last);
                carried.push(last);
            }
        }
        carried.push(tok);
        if !l.cur.is_empty() {
            l.flush(hang);
        }
        let need: usize = carried.iter().map(|t| columns_of(t)).sum();
        if l.cur.is_empty() && need > l.room(budget) && need <= budget {
            l.indent = 0;
        }
        for t in carried {
            if l.width + columns_of(&t) <= l.room(budget) {
                l.push(t);
                continue;
            }
            // A word longer than a line is broken between its characters.
            for c in t.chars() {
                if l.width + char_columns(c) > l.room(budget) && !l.cur.is_empty() {
                    l.flush(hang);
                }
                l.push(c.to_string());
            }
        }
    }
    if !l.cur.is_empty() || l.done.is_empty() {
        l.flush(hang);
    }
    l.done
}

/// Lays expanded template blocks out on paper `columns` wide. Characters the
/// printer cannot carry are substituted (see `encode::printable`) and
/// recorded in `substituted`.
pub(crate) fn lay_out(blocks: Vec<Block>, columns: usize, charset: Charset, substituted: &mut Vec<char>) -> Vec<Line> {
    let mut out = Vec::new();
    for block in blocks {
        match block {
            Block::Text { style, left, right } => {
                let budget = (columns / style.size.width_factor()).max(2);
                let left = printable(left.trim_end(), charset, substituted);
                let text_line =
                    |text: String, align: Align| Line::Text { text, align, bold: style.bold, size: style.size };
                match right {
                    None => {
                        if left.trim().is_empty() {
                            out.push(text_line(String::new(), Align::Left));
                            continue;
                        }
                        let hang = if style.align == Align::Left { hang_of(&left, budget) } else { 0 };
                        let text = if style.align == Align::Left { left.as_str() } else { left.trim_start() };
                        out.extend(wrap(text, budget, hang).into_iter().map(|l| text_line(l, style.align)));
                    }
                    Some(right) => {
                        let right = printable(right.trim(), charset, substituted);
                        let (lw, rw) = (columns_of(&left), columns_of(&right));
                        if lw + rw < budget || (right.is_empty() && lw <= budget) {
                            let pad = budget - lw - rw;
                            out.push(text_line(format!("{left}{}{right}", " ".repeat(pad)), Align::Left));
                        } else {
                            out.extend(
                                wrap(&left, budget, hang_of(&left, budget))
                                    .into_iter()
                                    .map(|l| text_line(l, Align::Left)),
                            );
                            for r in wrap(&right, budget, 0) {
                                let pad = budget - columns_of(&r);
                                out.push(text_line(format!("{}{r}", " ".repeat(pad)), Align::Left));
                            }
                        }
                    }
                }
            }
            Block::Rule(c) => out.push(Line::Text {
                text: c.to_string().repeat(columns),
                align: Align::Left,
                bold: false,
                size: Size::Normal,
            }),
            Block::Qr { data, module, level } => out.push(Line::Qr { data, module, level }),
            Block::Feed(n) => out.push(Line::Feed(n)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_wraps_at_the_column_limit() {
        let lines = wrap("一二三四五六七八九十", 8, 0);
        assert_eq!(lines, ["一二三四", "五六七八", "九十"]);
    }

    #[test]
    fn ascii_words_stay_whole_and_long_ones_break() {
        assert_eq!(wrap("abc defgh ij", 8, 0), ["abc", "defgh ij"]);
        assert_eq!(wrap("320106001-03-20261129-0007", 10, 0), ["320106001-", "03-2026112", "9-0007"]);
    }

    #[test]
    fn a_label_hangs_its_continuation_lines() {
        let lines = wrap("住址：江苏省南京市鼓楼区宁海路街道", 16, hang_of("住址：江苏省南京市鼓楼区宁海路街道", 16));
        assert_eq!(lines, ["住址：江苏省南京", "      市鼓楼区宁", "      海路街道"]);
    }

    #[test]
    fn a_word_too_long_for_the_hang_drops_the_indent() {
        let lines = wrap("受理编号：320106001-03-20261129-0007", 32, 10);
        assert_eq!(lines, ["受理编号：", "320106001-03-20261129-0007"]);
    }

    #[test]
    fn closing_punctuation_does_not_start_a_line() {
        let lines = wrap("一二三四，五", 8, 0);
        assert_eq!(lines, ["一二三", "四，五"]);
    }

    #[test]
    fn mixed_text_counts_cjk_as_two_columns() {
        assert_eq!(columns_of("第3号窗口"), 9);
        assert_eq!(columns_of("abc"), 3);
    }
}
