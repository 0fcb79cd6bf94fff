using System.ComponentModel.DataAnnotations;

namespace OpsAssistant.Server.RateLimiting;

/// <summary>
/// <c>OpsAssistant:RateLimits</c>: how often one caller may start work that can spend LLM tokens (an analysis, a chat
/// turn, an MCP call). A caller is its API key (by fingerprint) or, without keys, its address.
/// </summary>
internal sealed class LlmRateLimitOptions
{
    public const string SectionName = "OpsAssistant:RateLimits";

    /// <summary>Requests per caller per minute on <c>POST /api/analyses</c>, <c>POST /api/chat</c> and <c>/mcp</c>; 0 turns the limit off.</summary>
    [Range(0, 1_000_000, ErrorMessage = "OpsAssistant:RateLimits:LlmRequestsPerMinute must be between 0 (off) and 1000000.")]
    public int LlmRequestsPerMinute { get; set; } = 60;
}
