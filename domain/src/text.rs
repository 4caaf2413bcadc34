//! Plain text from the HTML that Graph puts in descriptions and
//! implementation statuses. Pages show the result as text, so no markup
//! from Graph ever reaches the browser as markup.

/// Elements whose content is dropped along with their tags.
const DROPPED_ELEMENTS: [&str; 4] = ["script", "style", "head", "title"];

/// Elements that end a line or a paragraph.
const BREAKING_ELEMENTS: [&str; 12] = ["br", "p", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "table"];

/// Removes tags, drops script and style content, decodes entities and
/// collapses runs of spaces. Line breaks are kept where the HTML had
/// paragraphs, list items or `<br>`; list items start with "- ".
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        // As in browsers, '<' starts a tag only before a letter, '/' or '!'.
        if !after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            out.push_str(&decode_entities(&rest[..=start]));
            rest = after;
            continue;
        }
        out.push_str(&decode_entities(&rest[..start]));
        let Some(end) = after.find('>') else {
            // A lone '<' is text, not a tag.
            out.push_str(&decode_entities(&rest[start..]));
            rest = "";
            break;
        };
        let tag = &after[..end];
        let name = tag_name(tag);
        rest = &after[end + 1..];
        if DROPPED_ELEMENTS.contains(&name.as_str()) && !tag.starts_with('/') {
            let closing = format!("</{name}");
            rest = match rest.to_ascii_lowercase().find(&closing) {
                Some(at) => rest[at..].find('>').map_or("", |gt| &rest[at + gt + 1..]),
                None => "",
            };
            continue;
        }
        if name == "li" && !tag.starts_with('/') {
            out.push_str("\n- ");
        } else if BREAKING_ELEMENTS.contains(&name.as_str()) {
            out.push('\n');
        } else {
            out.push(' ');
        }
    }
    out.push_str(&decode_entities(rest));
    tidy(&out)
}

fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('/')
        .trim()
        .split(|c: char| c.is_whitespace() || c == '/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|semi| *semi <= 10).and_then(|semi| {
            let entity = &after[..semi];
            let ch = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            };
            ch.map(|ch| (ch, semi))
        });
        match decoded {
            Some((ch, semi)) => {
                out.push(ch);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Collapses spaces within lines and blank lines between them.
fn tidy(text: &str) -> String {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty() && line != "-")
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_removed_and_entities_decoded() {
        let html = "<p>Require MFA for <b>all</b> admins &amp; users.</p><p>See&nbsp;<a href=\"https://example.test\">docs</a> &#8211; &#x2192; now</p>";
        assert_eq!(html_to_text(html), "Require MFA for all admins & users.\nSee docs \u{2013} \u{2192} now");
    }

    #[test]
    fn script_and_style_content_is_dropped() {
        let html = "Before<script>alert('x')</script><STYLE>p{}</STYLE> after<img src=x onerror=alert(1)>";
        assert_eq!(html_to_text(html), "Before after");
    }

    #[test]
    fn list_items_become_lines() {
        let html = "Steps:<ul><li>Open the portal</li><li>Turn it on</li></ul>";
        assert_eq!(html_to_text(html), "Steps:\n- Open the portal\n- Turn it on");
    }

    #[test]
    fn stray_angle_brackets_and_ampersands_stay_text() {
        assert_eq!(html_to_text("5 < 6 & 7 > 2"), "5 < 6 & 7 > 2");
        assert_eq!(html_to_text("a &bogus; b"), "a &bogus; b");
    }
}
