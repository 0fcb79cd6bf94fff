using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Evaluation.Metamorphic;

/// <summary>
/// A trace after a metamorphic transformation, with the renaming it applied (if any) so that an answer or a label about the
/// original can be stated in the transformed trace's names. Name lookups ignore case, as the eval's match rule does.
/// </summary>
public sealed record TransformedTrace(Trace Trace, IReadOnlyDictionary<string, string>? Services = null, IReadOnlyDictionary<string, string>? Operations = null)
{
    public string? MapService(string? service) =>
        service is not null && Services is not null && Services.TryGetValue(service, out var renamed) ? renamed : service;

    public string? MapOperation(string? operation) =>
        operation is not null && Operations is not null && Operations.TryGetValue(operation, out var renamed) ? renamed : operation;

    /// <summary>The label in the transformed trace's names; null (a healthy case) stays null.</summary>
    public ExpectedRootCause? Map(ExpectedRootCause? label) =>
        label is null ? null : label with { Service = MapService(label.Service)!, Span = MapOperation(label.Span) };
}
