//! The check that no notice threatens to cut a supply.
//!
//! 民法典 art. 944, third paragraph: 物业服务人不得采取停止供电、供水、供热、
//! 供燃气等方式催交物业费 — a property company may remind and sue, never cut
//! power, water, heat or gas to collect, and a notice that threatens it is
//! itself the unlawful pressure. So [`forbidden_wording`] looks for the
//! phrasings such notices really use, in Chinese and English, and the check
//! names each one found. It is strict on purpose: it cannot tell a threat
//! from a promise not to (不得不停水 "we have no choice but" against 不得停水
//! "we may not"), so any sentence that speaks of cutting a supply is refused
//! and the manager rewords it; a notice about fees has no need of one (an
//! outage notice, 停水检修, is not a dunning notice). A sentence that only
//! mentions water or power (水电费, 漏水, water bills) passes.

/// Chinese words that cut a supply by themselves (停水, 拉闸 …).
const CUT_WORDS: &[&str] = &[
    "停水", "停电", "停气", "停暖", "停热", "断水", "断电", "断气", "断暖", "断热", "限水", "限电",
    "限气", "掐水", "掐电", "停供", "断供", "拉闸", "关闸",
];

/// Chinese verbs that cut a supply when one follows in the same clause
/// (停止对贵户的供水, 暂停售电, 不予供电); a passive sentence names the supply
/// first and the verb after (水电将被暂停).
const CUT_VERBS: &[&str] = &[
    "停止", "暂停", "中止", "终止", "中断", "切断", "截断", "掐断", "断开", "关闭", "关停", "限制",
    "不再", "不予", "拒绝", "停供", "断供", "拆除", "停售", "拒售",
];

/// A supply by name, or where it is cut: its meter, valve or switch, and for
/// prepaid meters the sale of credit and its card (暂停售电 cuts the power as
/// surely as 拉闸).
const SUPPLIES: &[&str] = &[
    "供燃气",
    "供水",
    "供电",
    "供气",
    "供暖",
    "供热",
    "用水",
    "用电",
    "用气",
    "水电气",
    "水、电、气",
    "水、电",
    "水和电",
    "水电",
    "水源",
    "电源",
    "电力",
    "自来水",
    "燃气",
    "煤气",
    "天然气",
    "暖气",
    "采暖",
    "热水",
    "水表",
    "电表",
    "气表",
    "水阀",
    "电闸",
    "总闸",
    "售水",
    "售电",
    "售气",
    "购水",
    "购电",
    "购气",
    "水卡",
    "电卡",
    "气卡",
];

/// The supplies a passive sentence starts with (供暖服务将被终止).
const PASSIVE_SUPPLIES: &[&str] = &[
    "供燃气",
    "供水",
    "供电",
    "供气",
    "供暖",
    "供热",
    "用水",
    "用电",
    "水电气",
    "水电",
    "自来水",
    "电力",
    "燃气",
    "煤气",
    "天然气",
    "暖气",
];

/// A supply's single character, a supply after a cutting verb when a list
/// or the clause's end follows it (停止提供水、电; 停止向贵户供应水).
const SUPPLY_CHARS: &str = "水电气暖热";
/// What may follow a single-character supply.
const AFTER_SUPPLY_CHAR: &str = "、和与及或等的供";

/// How many characters may stand between a Chinese verb and its supply:
/// 停止对贵户名下房屋的供水 has seven.
const GAP_CHARS: usize = 8;

/// English verbs (and their nouns) that cut a supply before or after it.
const EN_VERBS: &[&str] = &[
    "cut",
    "cuts",
    "cutting",
    "cutoff",
    "cutoffs",
    "disconnect",
    "disconnects",
    "disconnecting",
    "disconnected",
    "disconnection",
    "disconnections",
    "suspend",
    "suspends",
    "suspending",
    "suspended",
    "suspension",
    "stop",
    "stops",
    "stopping",
    "stopped",
    "stoppage",
    "terminate",
    "terminates",
    "terminating",
    "terminated",
    "termination",
    "interrupt",
    "interrupts",
    "interrupting",
    "interrupted",
    "interruption",
    "discontinue",
    "discontinues",
    "discontinuing",
    "discontinued",
    "discontinuation",
    "shut",
    "shuts",
    "shutting",
    "shutoff",
    "restrict",
    "restricts",
    "restricting",
    "restricted",
    "restriction",
    "restrictions",
    "limit",
    "limits",
    "limiting",
    "withhold",
    "withholds",
    "withholding",
    "withheld",
    "halt",
    "halts",
    "halting",
    "halted",
    "cease",
    "ceases",
    "ceasing",
    "ceased",
];

/// English verbs that cut only with "off" after them (turn off the heating).
const EN_PHRASAL: &[&str] = &[
    "turn",
    "turns",
    "turning",
    "turned",
    "switch",
    "switches",
    "switching",
    "switched",
];

/// The supplies in English.
const EN_SUPPLIES: &[&str] = &[
    "water",
    "power",
    "electricity",
    "electric",
    "electrical",
    "heating",
    "heat",
    "gas",
    "utilities",
    "utility",
];

/// Words after a supply that make it something else: a bill, a leak, a power
/// of attorney.
const EN_NOT_SUPPLY_AFTER: &[&str] = &[
    "bill", "bills", "billing", "fee", "fees", "charge", "charges", "rate", "rates", "tariff",
    "tariffs", "payment", "payments", "leak", "leaks", "leakage", "leaking", "of",
];

/// How many words may stand between an English verb and its supply: "stop
/// the supply of your household's water" has five.
const GAP_WORDS: usize = 5;

/// The phrases of `text` that threaten to cut water, power, heating or gas,
/// each as written, in the order they first appear, each named once. Empty
/// when the text is lawful. Chinese is matched with spaces ignored (停 水),
/// English case-insensitively.
pub fn forbidden_wording(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    chinese(text, &mut found);
    english(text, &mut found);
    // Where matches overlap (切断水源 holds 断水), the one starting first and
    // reaching furthest names the phrase.
    found.sort_by_key(|(from, to)| (*from, std::cmp::Reverse(*to)));
    let mut phrases: Vec<String> = Vec::new();
    let mut covered = 0;
    for (from, to) in found {
        if from < covered {
            continue;
        }
        covered = to;
        let phrase = text[from..to].to_string();
        if !phrases.contains(&phrase) {
            phrases.push(phrase);
        }
    }
    phrases
}

/// A character of the text and its bytes there.
struct Letter {
    c: char,
    from: usize,
    to: usize,
}

/// The text's characters without the spaces between them (a new line ends a
/// clause and stays).
fn letters(text: &str) -> Vec<Letter> {
    text.char_indices()
        .filter(|(_, c)| !(c.is_whitespace() && *c != '\n'))
        .filter(|(_, c)| !matches!(c, '\u{200b}'..='\u{200d}' | '\u{feff}'))
        .map(|(from, c)| Letter {
            c,
            from,
            to: from + c.len_utf8(),
        })
        .collect()
}

fn ends_clause(c: char) -> bool {
    "，,。.；;！!？?：:\n".contains(c)
}

/// Where `word` ends if the letters at `i` spell it.
fn spells(letters: &[Letter], i: usize, word: &str) -> Option<usize> {
    let mut j = i;
    for w in word.chars() {
        if letters.get(j)?.c != w {
            return None;
        }
        j += 1;
    }
    Some(j)
}

/// The end of the longest of `words` spelt at `i`.
fn longest(letters: &[Letter], i: usize, words: &[&str]) -> Option<usize> {
    words.iter().filter_map(|w| spells(letters, i, w)).max()
}

fn letter(letters: &[Letter], i: usize) -> Option<char> {
    letters.get(i).map(|l| l.c)
}

/// Whether a supply ending in `last` is the start of another word, decided by
/// the character after it: 电梯, 电话, 电子, 水费, 气候, 热线, 供暖季, and the
/// utilities themselves (供电局, 供热公司, 水务公司) ….
fn other_word_after(last: char, next: Option<char>) -> bool {
    let Some(next) = next else {
        return false;
    };
    let words = match last {
        '电' => "梯话脑视子影器报池邮商竞局所站厂公费价",
        '水' => "果平准泥务局站厂公费价",
        '气' => "氛候象质味站公费价",
        '热' => "线情点门闹站厂公费价",
        _ => "期季局所站厂公费价",
    };
    words.contains(next)
}

/// Whether a cutting word starting with `first` is the end of another word,
/// decided by the character before it: 判断电表, 不间断电源, 调停, 权限.
fn other_word_before(first: char, prev: Option<char>) -> bool {
    let words = match first {
        '断' => "判诊推论不垄间果决",
        '停' => "调",
        '限' => "期无权界局年",
        _ => "",
    };
    prev.is_some_and(|p| words.contains(p))
}

/// Where a supply spelt at `k` ends, unless it is another word.
fn supply_at(letters: &[Letter], k: usize) -> Option<usize> {
    if let Some(mut end) = longest(letters, k, SUPPLIES) {
        // Names that overlap run on: 提供热水 is 供热 and 热水, named whole.
        while let Some(longer) = longest(letters, end - 1, SUPPLIES).filter(|e| *e > end) {
            end = longer;
        }
        let last = letters[end - 1].c;
        return (!other_word_after(last, letter(letters, end))).then_some(end);
    }
    let c = letter(letters, k)?;
    let next = letter(letters, k + 1);
    let alone = next.is_none_or(|n| ends_clause(n) || AFTER_SUPPLY_CHAR.contains(n));
    (SUPPLY_CHARS.contains(c) && alone).then_some(k + 1)
}

/// The end of the first thing `find` finds from `from` on, within the gap and
/// the clause.
fn within(
    letters: &[Letter],
    from: usize,
    find: impl Fn(&[Letter], usize) -> Option<usize>,
) -> Option<usize> {
    for k in from..letters.len().min(from + GAP_CHARS + 1) {
        if ends_clause(letters[k].c) {
            return None;
        }
        if let Some(end) = find(letters, k) {
            return Some(end);
        }
    }
    None
}

/// The Chinese phrasings, as byte ranges of the text.
fn chinese(text: &str, found: &mut Vec<(usize, usize)>) {
    let letters = letters(text);
    let span = |from: usize, end: usize| (letters[from].from, letters[end - 1].to);
    for i in 0..letters.len() {
        for word in CUT_WORDS {
            let Some(end) = spells(&letters, i, word) else {
                continue;
            };
            let prev = i.checked_sub(1).and_then(|p| letter(&letters, p));
            if !other_word_before(letters[i].c, prev)
                && !other_word_after(letters[end - 1].c, letter(&letters, end))
            {
                found.push(span(i, end));
            }
        }
        if let Some(verb_end) = longest(&letters, i, CUT_VERBS) {
            if let Some(end) = within(&letters, verb_end, supply_at) {
                found.push(span(i, end));
            }
        }
        let passive = longest(&letters, i, PASSIVE_SUPPLIES)
            .filter(|end| !other_word_after(letters[end - 1].c, letter(&letters, *end)));
        if let Some(supply_end) = passive {
            if let Some(end) = within(&letters, supply_end, |l, m| longest(l, m, CUT_VERBS)) {
                found.push(span(i, end));
            }
        }
    }
}

/// An English word, lower-cased, its bytes in the text and its sentence.
struct Word {
    text: String,
    from: usize,
    to: usize,
    sentence: usize,
}

/// The text's English words; a full stop, a colon, a new line or any
/// character that is not English (Chinese text between) ends a sentence.
fn english_words(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut sentence = 0;
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_ascii_alphanumeric() || (start.is_some() && matches!(c, '\'' | '’')) {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(from) = start.take() {
            words.push(word(text, from, i, sentence));
        }
        let quote = matches!(c, '‘' | '’' | '“' | '”');
        if matches!(c, '.' | ';' | ':' | '!' | '?' | '\n')
            || (!c.is_ascii() && !c.is_whitespace() && !quote)
        {
            sentence += 1;
        }
    }
    if let Some(from) = start {
        words.push(word(text, from, text.len(), sentence));
    }
    words
}

/// The word at `from..to`, a closing apostrophe left out ('water').
fn word(text: &str, from: usize, to: usize, sentence: usize) -> Word {
    let written = text[from..to].trim_end_matches(['\'', '’']);
    Word {
        text: written.to_ascii_lowercase(),
        from,
        to: from + written.len(),
        sentence,
    }
}

/// The word after `i` in the same sentence.
fn next_word(words: &[Word], i: usize) -> Option<&str> {
    words
        .get(i + 1)
        .filter(|n| n.sentence == words[i].sentence)
        .map(|n| n.text.as_str())
}

/// Where a cutting verb at `i` ends (its "off" included), if there is one;
/// "stop by the service centre" is a visit.
fn en_verb_at(words: &[Word], i: usize) -> Option<usize> {
    let w = words.get(i)?.text.as_str();
    let next = next_word(words, i);
    if EN_PHRASAL.contains(&w) {
        return (next == Some("off")).then_some(i + 1);
    }
    if !EN_VERBS.contains(&w) || (w.starts_with("stop") && next == Some("by")) {
        return None;
    }
    Some(if next == Some("off") { i + 1 } else { i })
}

fn en_supply_at(words: &[Word], i: usize) -> bool {
    EN_SUPPLIES.contains(&words[i].text.as_str())
        && !next_word(words, i).is_some_and(|n| EN_NOT_SUPPLY_AFTER.contains(&n))
}

/// The first `find` from `from` on, within the gap and the sentence of `i`.
fn en_within(
    words: &[Word],
    i: usize,
    from: usize,
    find: impl Fn(&[Word], usize) -> Option<usize>,
) -> Option<usize> {
    (from..words.len().min(from + GAP_WORDS + 1))
        .take_while(|k| words[*k].sentence == words[i].sentence)
        .find_map(|k| find(words, k))
}

/// The English phrasings, as byte ranges of the text.
fn english(text: &str, found: &mut Vec<(usize, usize)>) {
    let words = english_words(text);
    let supply = |w: &[Word], j: usize| en_supply_at(w, j).then_some(j);
    for i in 0..words.len() {
        if let Some(verb_end) = en_verb_at(&words, i) {
            if let Some(j) = en_within(&words, i, verb_end + 1, supply) {
                found.push((words[i].from, words[j].to));
            }
        }
        if en_supply_at(&words, i) {
            if let Some(end) = en_within(&words, i, i + 1, en_verb_at) {
                found.push((words[i].from, words[end].to));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_chinese_phrasing_is_named() {
        let table = [
            ("逾期将停水", "停水"),
            ("将对贵户停电", "停电"),
            ("届时将停气", "停气"),
            ("冬季将停暖", "停暖"),
            ("将停热", "停热"),
            ("将断水", "断水"),
            ("将断电", "断电"),
            ("将断气", "断气"),
            ("将限水", "限水"),
            ("将限电", "限电"),
            ("将拉闸", "拉闸"),
            ("对欠费户停供", "停供"),
            ("对欠费户断供", "断供"),
            ("我司将停止供水", "停止供水"),
            ("停止供电", "停止供电"),
            ("停止供气", "停止供气"),
            ("停止供暖", "停止供暖"),
            ("停止供热", "停止供热"),
            ("暂停供水", "暂停供水"),
            ("中止供电", "中止供电"),
            ("终止供暖", "终止供暖"),
            ("中断供气", "中断供气"),
            ("切断水源", "切断水源"),
            ("切断电源", "切断电源"),
            ("切断燃气", "切断燃气"),
            ("切断煤气", "切断煤气"),
            ("切断暖气", "切断暖气"),
            ("将停止对贵户的供水服务", "停止对贵户的供水"),
            ("暂停水电供应", "暂停水电"),
            ("限制用水", "限制用水"),
            ("限制用电", "限制用电"),
            ("停止提供水、电", "停止提供水、电"),
            ("不再为贵户提供热水", "不再为贵户提供热水"),
            ("暂停售电", "暂停售电"),
            ("停止办理购电", "停止办理购电"),
            ("限制购电", "限制购电"),
            ("拆除水表", "拆除水表"),
            ("贵户的水电将被暂停", "水电将被暂停"),
            ("供暖服务将被终止", "供暖服务将被终止"),
            ("关闭燃气阀门", "关闭燃气"),
            ("不予供电", "不予供电"),
            ("不再供水", "不再供水"),
            ("中断电力供应", "中断电力"),
            ("停止供应燃气", "停止供应燃气"),
            ("掐断水电", "掐断水电"),
            ("关停水电", "关停水电"),
            ("停止向贵户供应暖气", "停止向贵户供应暖气"),
            ("逾期将 停 水", "停 水"),
        ];
        for (text, phrase) in table {
            assert_eq!(forbidden_wording(text), vec![phrase.to_string()], "{text}");
        }
    }

    #[test]
    fn each_english_phrasing_is_named_in_any_case() {
        let table = [
            ("We will cut off your water.", "cut off your water"),
            (
                "We may disconnect the electricity supply",
                "disconnect the electricity",
            ),
            (
                "The heating will be suspended.",
                "heating will be suspended",
            ),
            ("We will stop the gas supply", "stop the gas"),
            ("Your power will be cut off", "power will be cut off"),
            ("WE WILL SHUT OFF THE WATER", "SHUT OFF THE WATER"),
            ("We will turn off the heating", "turn off the heating"),
            ("We will switch off your power", "switch off your power"),
            (
                "Suspension of utilities may follow",
                "Suspension of utilities",
            ),
            ("We will terminate gas supply", "terminate gas"),
            ("We may restrict electricity use", "restrict electricity"),
            (
                "Water and electricity will be disconnected",
                "Water and electricity will be disconnected",
            ),
            (
                "Interruption of the water supply",
                "Interruption of the water",
            ),
            ("We will withhold heating", "withhold heating"),
            ("a cut-off of electricity", "cut-off of electricity"),
            (
                "we will stop the supply of your household's water",
                "stop the supply of your household's water",
            ),
        ];
        for (text, phrase) in table {
            assert_eq!(forbidden_wording(text), vec![phrase.to_string()], "{text}");
        }
    }

    #[test]
    fn several_threats_in_one_text_are_all_named_in_order_once_each() {
        let text = "如仍不缴纳，我司将停水停电，并切断燃气。Otherwise we will cut off your water. 再不缴，停水。";
        assert_eq!(
            forbidden_wording(text),
            vec!["停水", "停电", "切断燃气", "cut off your water"]
        );
        assert_eq!(forbidden_wording("拉闸断电"), vec!["拉闸", "断电"]);
    }

    #[test]
    fn sentences_that_only_mention_a_supply_pass() {
        let harmless = [
            "如发现漏水请及时报修",
            "水电费请按时缴纳",
            "水费、电费、燃气费请于每月 15 日前缴纳",
            "供暖费按供暖季收取",
            "停车费请到服务中心缴纳",
            "本中心不会停止物业服务",
            "请于本月底前缴清物业费，逾期将依法追缴",
            "判断电表读数如有疑问请联系客服",
            "暂停电子账单的，请到前台领取纸质账单",
            "电梯维保期间请走楼梯",
            "请拨打服务热线",
            "供热公司暂停收费期间，请到服务中心缴纳",
            "水务公司将于下月调整水价",
            "Please report water leaks to the service centre",
            "Water and electricity bills are due on the 5th.",
            "Please stop by the service centre to pay your water bill.",
            "A power of attorney is needed if someone else pays.",
            "Gas safety checks are free",
        ];
        for text in harmless {
            assert!(
                forbidden_wording(text).is_empty(),
                "{text}: {:?}",
                forbidden_wording(text)
            );
        }
    }

    #[test]
    fn a_promise_not_to_cut_is_refused_too() {
        // The check cannot tell 不得停水 from 不得不停水: the manager rewords.
        assert_eq!(forbidden_wording("我司不会停水"), vec!["停水"]);
    }
}
