using System.Text.Json;

namespace OpsAssistant.Infrastructure.Telemetry;

/// <summary>The OpenTelemetry GenAI attribute names and values the service sets itself (the chat client sets the rest).</summary>
public static class GenAiConventions
{
    public const string ConversationId = "gen_ai.conversation.id";

    public const string ToolType = "gen_ai.tool.type";

    /// <summary>A tool the application runs itself, as opposed to an extension or datastore tool run by the provider.</summary>
    public const string FunctionTool = "function";

    public const string ErrorType = "error.type";

    /// <summary><c>error.type</c> of a tool call that returned an error object rather than throwing.</summary>
    public const string ToolError = "tool_error";

    /// <summary>Whether a tool's JSON answer is the <c>{"error": …}</c> object the tools return when they cannot answer.</summary>
    public static bool IsErrorResult(string? json)
    {
        if (string.IsNullOrEmpty(json) || !json.TrimStart().StartsWith('{'))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("error", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
