//! The neutral conversation format every provider translates from and to.

use serde::{Deserialize, Serialize};

/// One tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// Tool name (`read`, `bash`, `external-directory`, …).
    pub name: String,
    /// What the tool does, for the model.
    pub description: String,
    /// JSON Schema of the arguments object.
    pub parameters: serde_json::Value,
}

/// A tool call the model proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id for the call (echoed back with the result).
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments as JSON text, exactly as the model wrote them.
    pub arguments: String,
}

/// One entry of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Message {
    /// The user's prompt.
    User(String),
    /// A model turn: its text and the tool calls it proposed.
    Assistant {
        /// Visible text.
        text: String,
        /// Proposed calls, in order.
        tool_calls: Vec<ToolCall>,
    },
    /// What a tool call produced (already redacted and truncated).
    ToolResult {
        /// The call's id.
        call_id: String,
        /// The tool's name.
        name: String,
        /// The result text (starts with `denied:` when refused).
        content: String,
        /// Whether the call failed or was refused.
        is_error: bool,
    },
}

/// A request for one assistant turn.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The system prompt.
    pub system: String,
    /// The conversation so far.
    pub messages: Vec<Message>,
    /// Tools the model may call.
    pub tools: Vec<ToolSpec>,
    /// Upper bound on generated tokens.
    pub max_tokens: u32,
}

/// Why the model stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The turn is complete.
    EndTurn,
    /// The model wants its tool calls run.
    ToolUse,
    /// The token limit cut the turn short.
    MaxTokens,
    /// Anything else the provider reported.
    Other,
}

/// One finished assistant turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// All text of the turn.
    pub text: String,
    /// Tool calls in the order the model made them.
    pub tool_calls: Vec<ToolCall>,
    /// Why it stopped.
    pub stop: StopReason,
}
