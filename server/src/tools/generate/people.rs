//! The generated people: Chinese names (compound surnames, rare characters),
//! mobiles from real carrier prefixes, ID numbers with valid check characters,
//! and estate names.

use super::*;

// ---- people -----------------------------------------------------------------

/// Surnames, the common ones repeated by how common they are; compound
/// surnames and a few rare ones included.
pub(super) const SURNAMES: [&str; 48] = [
    "王", "王", "王", "李", "李", "李", "张", "张", "张", "刘", "刘", "陈", "陈", "杨", "杨", "黄",
    "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢",
    "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "欧阳", "司马", "诸葛", "上官", "亓", "禤",
    "覃", "邝",
];
/// Given-name characters; rare ones (堃, 喆, 䶮 from CJK Extension A, 𠮷 outside
/// the Basic Multilingual Plane) appear now and then, as they do in a register.
pub(super) const GIVEN: [&str; 64] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "桂", "英", "华", "建", "国", "志", "文", "红", "秀", "兰", "玉", "海",
    "鹏", "宇", "浩", "欣", "怡", "子", "涵", "梓", "轩", "雨", "萱", "博", "晨", "思", "佳", "琪",
    "婷", "慧", "俊", "嘉", "昊", "然", "堃", "喆", "淼", "垚", "玥", "珺", "昇", "龑", "䶮", "𠮷",
];

pub(super) fn person_name(d: Dice, person: i64) -> String {
    let surname = d.pick(R_PERSON, person, 1, &SURNAMES);
    let first = d.pick(R_PERSON, person, 2, &GIVEN);
    // About a third have a one-character given name (two characters in all).
    if surname.chars().count() == 1 && d.chance(R_PERSON, person, 3, 330) {
        format!("{surname}{first}")
    } else {
        format!("{surname}{first}{}", d.pick(R_PERSON, person, 4, &GIVEN))
    }
}

/// Mobile prefixes of the three carriers.
pub(super) const MOBILE_PREFIXES: [&str; 34] = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "198", "199",
];

/// A valid, unique mobile for the n-th generated person: the eight digits
/// are a bijection of n (48271 is prime to 10⁸), the prefix a carrier's.
pub(super) fn mobile(d: Dice, person: i64) -> String {
    let tail = ((person as u64)
        .wrapping_mul(48_271)
        .wrapping_add(d.0 % 1000))
        % 100_000_000;
    let prefix = d.pick(R_PERSON, person, 5, &MOBILE_PREFIXES);
    format!("{prefix}{tail:08}")
}

/// Region codes (省市区) of the places residents come from.
pub(super) const REGIONS: [&str; 16] = [
    "110101", "110105", "310104", "310115", "320102", "330106", "440106", "440305", "510107",
    "420106", "370102", "610113", "500103", "120101", "350203", "430104",
];

/// The ISO 7064 MOD 11-2 check character of an 18-digit resident ID number.
pub fn id_check_char(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
}

/// A valid ID number, unique for distinct `index` (the company-wide person
/// number): birth day and serial are a bijection of the index below 24 million
/// (1,000,003 is prime to the space).
pub(super) fn id_number(d: Dice, person: i64, index: i64, today: NaiveDate) -> String {
    const DAYS: i64 = 24_000; // born 18 to 83 years ago
    let space = DAYS * 1000;
    let p = (index * 1_000_003 + (d.0 % 997) as i64).rem_euclid(space);
    let born = today - Duration::days(18 * 366 + p / 1000);
    let first17 = format!(
        "{}{}{:03}",
        d.pick(R_PERSON, person, 6, &REGIONS),
        born.format("%Y%m%d"),
        p % 1000
    );
    let check = id_check_char(&first17);
    format!("{first17}{check}")
}

pub(super) const ESTATE_FIRST: [&str; 16] = [
    "翠湖", "锦绣", "金色", "阳光", "碧水", "紫荆", "御景", "滨江", "世纪", "星河", "万科", "融创",
    "香樟", "明珠", "龙湖", "绿城",
];
pub(super) const ESTATE_SECOND: [&str; 8] =
    ["花园", "华庭", "家园", "雅苑", "公馆", "名邸", "新城", "府"];
