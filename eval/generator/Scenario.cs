namespace OpsAssistant.EvalGenerator;

/// <summary>A named scenario: the wire format its trace is written in and the code that builds it and returns its label.</summary>
internal sealed record Scenario(string Name, WireFormat Format, string Summary, Func<TraceBuilder, RootCauseLabel> Build);
