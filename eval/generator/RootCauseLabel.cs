namespace OpsAssistant.EvalGenerator;

/// <summary>What a scenario planted: the span whose service/operation is the answer, and the result category of the fault.</summary>
internal sealed record RootCauseLabel(string Service, string Span, string Kind)
{
    public static RootCauseLabel Of(GenSpan span, string kind) => new(span.Service, span.Name, kind);
}
