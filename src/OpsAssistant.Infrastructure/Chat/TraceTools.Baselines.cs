using System.ComponentModel;
using System.Text.Json;
using OpsAssistant.Infrastructure.Baselines;
using OpsAssistant.Infrastructure.Llm;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>
/// The chat's baseline tool: what <c>GET /api/baselines</c> answers, as JSON the model reads as data. Operation names come
/// from traces, so they are redacted like every other tool output; a bad name is an error object, never an exception.
/// </summary>
public sealed partial class TraceTools
{
    private const int MaxBaselineOperations = 50;

    /// <summary>Where <c>get_baselines</c> reads; null where no baselines are kept (the tool then says so).</summary>
    public BaselineCatalog? Baselines { get; init; }

    [ChatTool("get_baselines")]
    [Description("What normal looks like for a service's operations over the baseline window: p50, p90 and p99 latency, error rate and call count per operation and span kind. Give 'at' (a trace's start time) to see the window that trace is judged against: the history before it.")]
    public async Task<string> GetBaselinesAsync(
        [Description("service name")] string service, [Description("operation name, optional: all of the service's when omitted")] string? operation = null,
        [Description("ISO 8601 instant, optional: the baselines as of then (a trace's start); now when omitted")] string? at = null,
        CancellationToken cancellationToken = default)
    {
        if (Baselines is null)
        {
            return Error("no baselines are kept here");
        }

        var lookup = await Baselines.LookupAsync(service, operation, at, cancellationToken).ConfigureAwait(false);
        if (lookup.Answer is not { } answer)
        {
            return Error($"{lookup.Field}: {lookup.Message}");
        }

        var busiest = answer.Operations.OrderByDescending(o => o.Count).Take(MaxBaselineOperations)
            .Select(o => o with { Operation = redactor.Redact(o.Operation) }).ToList();
        return Serialize(answer with { Operation = answer.Operation is null ? null : redactor.Redact(answer.Operation), Operations = busiest });
    }
}
