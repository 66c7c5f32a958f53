//! A small RFC 4180 reader shared by the runner's CSV files (pain diary, gear log) and
//! Strava's `activities.csv`: fields in double quotes may hold commas, line breaks and doubled
//! quotes; each record knows the line it starts on, and one that does not parse says why.

/// One CSV record: its fields and the line it starts on.
pub(crate) struct Record {
    /// The line it starts on (1-based).
    pub(crate) line: usize,
    /// Its fields, unquoted.
    pub(crate) fields: Vec<String>,
}

/// Splits text into records (RFC 4180); a record that does not parse is its line and why.
/// Blank lines give no record.
pub(crate) fn records(text: &str) -> Vec<Result<Record, (usize, String)>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut fields = vec![String::new()];
        let mut bad: Option<String> = None;
        // One record: fields until an unquoted line break or the end.
        loop {
            let field = fields.last_mut().expect("never empty");
            match chars.next() {
                None => break,
                Some('\n') => {
                    line += 1;
                    break;
                }
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some(',') => fields.push(String::new()),
                Some('"') if field.trim().is_empty() => {
                    field.clear();
                    let mut closed = false;
                    while let Some(c) = chars.next() {
                        match c {
                            '"' if chars.peek() == Some(&'"') => {
                                chars.next();
                                field.push('"');
                            }
                            '"' => {
                                closed = true;
                                break;
                            }
                            '\n' => {
                                line += 1;
                                field.push('\n');
                            }
                            c => field.push(c),
                        }
                    }
                    if !closed {
                        bad.get_or_insert("a quoted field is not closed".into());
                    }
                    // Only spaces may follow the closing quote before the next comma.
                    while let Some(&c) = chars.peek() {
                        match c {
                            ',' | '\n' | '\r' => break,
                            ' ' | '\t' => {
                                chars.next();
                            }
                            _ => {
                                chars.next();
                                bad.get_or_insert("text after a closing quote".into());
                            }
                        }
                    }
                }
                Some(c) => field.push(c),
            }
        }
        let blank = fields.len() == 1 && fields[0].trim().is_empty();
        match bad {
            Some(m) => out.push(Err((start, m))),
            None if blank => {}
            None => out.push(Ok(Record {
                line: start,
                fields,
            })),
        }
    }
    out
}
