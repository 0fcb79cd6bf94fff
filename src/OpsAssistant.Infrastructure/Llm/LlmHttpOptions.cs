namespace OpsAssistant.Infrastructure.Llm;

/// <summary>How the LLM HttpClient is assembled for one process: live, recording every exchange, or replaying a recorded run.</summary>
public sealed class LlmHttpOptions
{
    public string? RecordDirectory { get; set; }

    public string? ReplayDirectory { get; set; }
}
