namespace OpsAssistant.Core.Conversations;

/// <summary>One message of a conversation. <see cref="AnalysisId"/> links a turn to the analysis it produced.</summary>
public sealed record ChatTurn(string Role, string Content, DateTimeOffset At, string? AnalysisId = null, string? TraceId = null)
{
    public const string User = "user";
    public const string Assistant = "assistant";
}
