//! The notice templates: placeholders and their filling, the check a
//! template passes when a manager saves it (the art. 944 check of
//! [`super::wording`] among them), and the wording each stage starts with.
//!
//! The estate's how-to-pay text, which fills `%{how_to_pay}`, goes through
//! [`forbidden_wording`] too when it is saved.

use super::wording::forbidden_wording;
use crate::arrears::{Placeholder, Stage};
use crate::common::Lang;

/// A placeholder a template names that has no value, as written: `%{户号}`,
/// or `%{estate` when its brace was never closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown placeholder {0}")]
pub struct UnknownPlaceholder(pub String);

/// A template with its `%{name}` placeholders filled from `values` (name,
/// value) — the syntax of the app's own locale texts, names from
/// [`Placeholder`]. Spaces inside the braces are ignored; a `%` not followed
/// by `{` is text ("每日 0.05%"). A name without a value, or a brace not
/// closed on its line, is refused with the placeholder as written. Values
/// are put in as they are, never read again for placeholders (an owner's
/// name cannot fill in anything).
pub fn render(template: &str, values: &[(&str, &str)]) -> Result<String, UnknownPlaceholder> {
    let mut out = String::with_capacity(template.len() + 200);
    let mut rest = template;
    while let Some(start) = rest.find("%{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let close = after
            .find(['}', '\n'])
            .filter(|c| after[*c..].starts_with('}'));
        let Some(close) = close else {
            let line = rest[start..].lines().next().unwrap_or_default();
            return Err(UnknownPlaceholder(line.chars().take(20).collect()));
        };
        let name = after[..close].trim();
        let Some((_, value)) = values.iter().find(|(n, _)| *n == name) else {
            return Err(UnknownPlaceholder(
                rest[start..start + 2 + close + 1].to_string(),
            ));
        };
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The longest template a manager may save (a notice fills one A4 page).
pub const TEMPLATE_MAX_CHARS: usize = 2000;

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateRefusal {
    Empty,
    TooLong {
        max_chars: usize,
    },
    /// It threatens to cut a supply: the phrases, as written.
    Threatens(Vec<String>),
    /// It names a placeholder there is no such value for.
    Placeholder(UnknownPlaceholder),
}

impl TemplateRefusal {
    pub fn key(&self) -> &'static str {
        match self {
            TemplateRefusal::Empty => "arrears.refused.template_empty",
            TemplateRefusal::TooLong { .. } => "arrears.refused.template_long",
            TemplateRefusal::Threatens(_) => "arrears.refused.threat",
            TemplateRefusal::Placeholder(_) => "arrears.refused.placeholder",
        }
    }

    /// The message's `%{…}` arguments; the phrases quoted and listed in `lang`.
    pub fn args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            TemplateRefusal::Empty => Vec::new(),
            TemplateRefusal::TooLong { max_chars } => vec![("max", max_chars.to_string())],
            TemplateRefusal::Threatens(phrases) => {
                let (open, close, between) = match lang {
                    Lang::Zh => ("“", "”", "、"),
                    Lang::En => ("\"", "\"", ", "),
                };
                let quoted: Vec<String> = phrases
                    .iter()
                    .map(|p| format!("{open}{p}{close}"))
                    .collect();
                vec![("words", quoted.join(between))]
            }
            TemplateRefusal::Placeholder(UnknownPlaceholder(written)) => {
                vec![("placeholder", written.clone())]
            }
        }
    }
}

/// Checks a template as a manager saves it: not empty, not too long, no
/// threat to cut a supply, only known placeholders — the threat and the
/// placeholder both told at once.
pub fn check_template(template: &str) -> Result<(), Vec<TemplateRefusal>> {
    if template.trim().is_empty() {
        return Err(vec![TemplateRefusal::Empty]);
    }
    if template.chars().count() > TEMPLATE_MAX_CHARS {
        return Err(vec![TemplateRefusal::TooLong {
            max_chars: TEMPLATE_MAX_CHARS,
        }]);
    }
    let mut refusals = Vec::new();
    let phrases = forbidden_wording(template);
    if !phrases.is_empty() {
        refusals.push(TemplateRefusal::Threatens(phrases));
    }
    let known: Vec<(&str, &str)> = Placeholder::ALL.iter().map(|p| (p.as_str(), "")).collect();
    if let Err(unknown) = render(template, &known) {
        refusals.push(TemplateRefusal::Placeholder(unknown));
    }
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(refusals)
    }
}

/// The wording a stage's notice starts with, until the estate's manager
/// edits it. The page prints the itemised arrears after it. Each reminds,
/// names the amount, the deadline and how to pay, and escalates only to what
/// the law allows: a lawyer's letter, a suit or arbitration.
pub fn default_template(stage: Stage) -> &'static str {
    match stage {
        Stage::Reminder => concat!(
            "尊敬的%{owner}：您好！您名下%{estate}%{house}截至%{notice_date}",
            "尚有物业费等费用合计人民币%{total}元（大写：%{total_capitals}）未缴纳，",
            "请于%{pay_before}前缴纳。缴费方式：%{how_to_pay}。",
            "如已缴纳，请忽略本提醒。感谢您对物业服务工作的支持！"
        ),
        Stage::FirstNotice => concat!(
            "%{stage}\n编号：%{notice_no}\n尊敬的%{owner}：\n",
            "您名下%{estate}%{house}截至%{notice_date}欠缴物业费等费用合计人民币%{total}元",
            "（大写：%{total_capitals}），明细附后。根据《物业服务合同》的约定，",
            "请您于%{pay_before}前缴清。缴费方式：%{how_to_pay}。\n",
            "如您对费用有异议，请与服务中心联系，我们将认真核实。",
            "逾期仍未缴纳的，我司将依法追缴。"
        ),
        Stage::SecondNotice => concat!(
            "%{stage}\n编号：%{notice_no}\n尊敬的%{owner}：\n",
            "我司此前已向您送达催缴通知书。截至%{notice_date}，您名下%{estate}%{house}",
            "仍欠缴物业费等费用合计人民币%{total}元（大写：%{total_capitals}），明细附后。",
            "请您于%{pay_before}前缴清。缴费方式：%{how_to_pay}。\n",
            "逾期仍未缴纳的，我司将委托律师发函，并依照《中华人民共和国民法典》",
            "第九百四十四条的规定提起诉讼或者申请仲裁。"
        ),
        Stage::LawyerLetter => concat!(
            "%{stage}\n编号：%{notice_no}\n%{owner}：\n",
            "本律师受%{estate}物业服务中心委托，就您名下%{house}欠缴物业费一事致函如下：",
            "截至%{notice_date}，您欠缴物业费等费用合计人民币%{total}元",
            "（大写：%{total_capitals}），经多次催缴仍未缴纳。",
            "请您于%{pay_before}前缴清（缴费方式：%{how_to_pay}）。",
            "逾期未缴纳的，委托人将依法提起诉讼，请求判令您支付所欠费用并承担相应的违约责任。"
        ),
        Stage::Litigation => concat!(
            "%{stage}\n编号：%{notice_no}\n%{owner}：\n",
            "您名下%{estate}%{house}截至%{notice_date}欠缴物业费等费用合计人民币%{total}元",
            "（大写：%{total_capitals}），经多次催缴仍未缴纳，我司已依法向人民法院提起诉讼。",
            "诉讼期间您仍可于%{pay_before}前与服务中心协商缴纳（缴费方式：%{how_to_pay}）。"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_filled_from_its_placeholders() {
        let values = [
            ("owner", "王芳"),
            ("house", "3栋1单元502"),
            ("rate", "0.05"),
        ];
        assert_eq!(
            render("尊敬的%{owner}：%{ house }，滞纳金每日 %{rate}%。", &values),
            Ok("尊敬的王芳：3栋1单元502，滞纳金每日 0.05%。".to_string())
        );
        assert_eq!(render("无占位符", &values), Ok("无占位符".to_string()));
        // A value is never read again for placeholders.
        assert_eq!(
            render("%{owner}", &[("owner", "%{house}"), ("house", "x")]),
            Ok("%{house}".to_string())
        );
    }

    #[test]
    fn an_unknown_or_unclosed_placeholder_is_refused_as_written() {
        let values = [("owner", "王芳")];
        assert_eq!(
            render("尊敬的%{户号}业主", &values),
            Err(UnknownPlaceholder("%{户号}".into()))
        );
        assert_eq!(
            render("%{}", &values),
            Err(UnknownPlaceholder("%{}".into()))
        );
        assert_eq!(
            render("尊敬的%{owner\n}", &values),
            Err(UnknownPlaceholder("%{owner".into()))
        );
        assert_eq!(
            render("尊敬的%{owner", &values),
            Err(UnknownPlaceholder("%{owner".into()))
        );
    }

    #[test]
    fn a_template_is_refused_for_its_threats_and_its_placeholders_at_once() {
        assert_eq!(
            check_template("%{户号}：逾期将停止供水。"),
            Err(vec![
                TemplateRefusal::Threatens(vec!["停止供水".into()]),
                TemplateRefusal::Placeholder(UnknownPlaceholder("%{户号}".into())),
            ])
        );
        assert_eq!(check_template("  \n"), Err(vec![TemplateRefusal::Empty]));
        assert_eq!(
            check_template(&"催".repeat(TEMPLATE_MAX_CHARS + 1)),
            Err(vec![TemplateRefusal::TooLong {
                max_chars: TEMPLATE_MAX_CHARS
            }])
        );
        assert_eq!(check_template("请于%{pay_before}前缴纳。"), Ok(()));
    }

    #[test]
    fn every_default_template_is_lawful_and_fills_in_whole() {
        let values: Vec<(&str, &str)> = Placeholder::ALL
            .iter()
            .map(|p| (p.as_str(), "值"))
            .collect();
        for stage in Stage::ALL.iter().copied() {
            let template = default_template(stage);
            assert_eq!(check_template(template), Ok(()), "{stage:?}");
            let notice = render(template, &values).expect("filled");
            assert!(!notice.contains("%{"), "{stage:?}");
            assert!(notice.contains("值"), "{stage:?}");
        }
    }

    #[test]
    fn refusals_quote_the_phrases_in_the_readers_language() {
        let threat = TemplateRefusal::Threatens(vec!["停水".into(), "cut off your water".into()]);
        assert_eq!(threat.key(), "arrears.refused.threat");
        assert_eq!(
            threat.args(Lang::Zh),
            vec![("words", "“停水”、“cut off your water”".to_string())]
        );
        assert_eq!(
            threat.args(Lang::En),
            vec![("words", "\"停水\", \"cut off your water\"".to_string())]
        );
        let unknown = TemplateRefusal::Placeholder(UnknownPlaceholder("%{户号}".into()));
        assert_eq!(
            unknown.args(Lang::Zh),
            vec![("placeholder", "%{户号}".to_string())]
        );
        assert_eq!(
            TemplateRefusal::TooLong { max_chars: 2000 }.args(Lang::En),
            vec![("max", "2000".to_string())]
        );
        assert_eq!(
            TemplateRefusal::Empty.key(),
            "arrears.refused.template_empty"
        );
    }
}
