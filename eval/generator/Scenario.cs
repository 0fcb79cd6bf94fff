namespace OpsAssistant.EvalGenerator;

/// <summary>
/// A named scenario: the wire format its trace is written in and the code that builds it and returns its label (null for a
/// healthy trace, where the right answer is that nothing stands out). <see cref="Family"/> names the randomized family a
/// variant belongs to; the hand-built scenarios have none.
/// </summary>
internal sealed record Scenario(string Name, WireFormat Format, string Summary, Func<TraceBuilder, RootCauseLabel?> Build, string? Family = null);
