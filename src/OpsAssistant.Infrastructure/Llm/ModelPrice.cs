namespace OpsAssistant.Infrastructure.Llm;

/// <summary>Price of one model in USD per million tokens, for the cost estimate on GenAI spans.</summary>
public sealed class ModelPrice
{
    public double InputPerMillion { get; set; }

    public double OutputPerMillion { get; set; }

    public double Estimate(long inputTokens, long outputTokens) =>
        (inputTokens * InputPerMillion + outputTokens * OutputPerMillion) / 1_000_000d;
}
