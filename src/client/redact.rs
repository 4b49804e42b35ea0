//! Secrets kept out of traces: a string type whose `Debug` hides it, and
//! redaction of JSON bodies before `-v` prints them.

use serde_json::Value;

/// A bearer token, password or one-time code. `Debug` and `Display` print
/// `***`; only [`Secret::expose`] gives the text.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Secret {
        Secret(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// JSON member names whose values never appear in a trace.
const SECRET_KEYS: [&str; 4] = ["password", "token", "secret", "authorization"];

/// A body made safe to print: secret members replaced by `"***"`. A body
/// that is not JSON is shown only by its length, since it could hold anything.
pub fn redact_body(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            redact_value(&mut value);
            value.to_string()
        }
        Err(_) if body.is_empty() => String::new(),
        Err(_) => format!("<{} bytes, not JSON>", body.len()),
    }
}

/// A one-time code is all digits; a problem's `code` member (an error code
/// like `slot_taken`) stays readable.
fn is_secret_member(key: &str, member: &Value) -> bool {
    let Some(text) = member.as_str() else {
        return false;
    };
    let key = key.to_ascii_lowercase();
    let one_time_code = key == "code" && text.bytes().all(|b| b.is_ascii_digit());
    SECRET_KEYS.contains(&key.as_str()) || one_time_code
}

fn redact_value(value: &mut Value) {
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if is_secret_member(key, member) {
                    *member = Value::String("***".into());
                } else {
                    redact_value(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_members_are_hidden_at_any_depth() {
        let body = br#"{"username":"demo","password":"demo12345","session":{"token":"abc"},"code":"123456"}"#;
        let shown = redact_body(body);
        assert!(!shown.contains("demo12345"));
        assert!(!shown.contains("abc"));
        assert!(!shown.contains("123456"));
        assert!(shown.contains("demo"));
    }

    #[test]
    fn error_codes_stay_readable() {
        assert!(redact_body(br#"{"code":"slot_taken"}"#).contains("slot_taken"));
        assert_eq!(redact_body(b"not json"), "<8 bytes, not JSON>");
        assert_eq!(format!("{:?}", Secret::new("x")), "***");
    }
}
