namespace OpsAssistant.Core.Model;

/// <summary>The instrumentation library that recorded a span (OTLP scope). Shared by reference.</summary>
public sealed record InstrumentationScope(string Name, string? Version = null, IReadOnlyList<Attribute>? Attributes = null)
{
    public static InstrumentationScope Empty { get; } = new("");
}
