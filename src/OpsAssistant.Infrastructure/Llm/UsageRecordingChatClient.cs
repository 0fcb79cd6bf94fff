using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Sits inside the OpenTelemetry chat client, so <see cref="Activity.Current"/> is the GenAI span while it runs: it copies the
/// provider-reported usage into the caller's <see cref="LlmCallRecord"/> and puts a cost estimate from the price table on the span.
/// </summary>
internal sealed class UsageRecordingChatClient(IChatClient inner, LlmOptions options) : DelegatingChatClient(inner)
{
    public const string CostAttribute = "opsassistant.llm.cost_usd";

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
        Record(response.ModelId, response.Usage, response.FinishReason?.Value);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? model = null;
        string? finish = null;
        UsageDetails? usage = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false))
        {
            model ??= update.ModelId;
            finish = update.FinishReason?.Value ?? finish;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent u)
                {
                    usage = u.Details;
                }
            }

            yield return update;
        }

        Record(model, usage, finish);
    }

    private void Record(string? model, UsageDetails? usage, string? finishReason)
    {
        var input = usage?.InputTokenCount ?? 0;
        var output = usage?.OutputTokenCount ?? 0;
        double? cost = null;
        var priceKey = model ?? options.ModelOrDeployment;
        if (options.Prices.TryGetValue(priceKey, out var price) || options.Prices.TryGetValue(options.ModelOrDeployment, out price))
        {
            cost = price.Estimate(input, output);
            Activity.Current?.SetTag(CostAttribute, cost.Value);
            OpsAssistantTelemetry.LlmCost.Add(cost.Value, new KeyValuePair<string, object?>("gen_ai.request.model", options.ModelOrDeployment));
        }

        if (LlmCallRecord.Current.Value is { } record)
        {
            record.Calls++;
            record.ResponseModel = model ?? record.ResponseModel;
            record.InputTokens += input;
            record.OutputTokens += output;
            record.FinishReason = finishReason ?? record.FinishReason;
            record.EstimatedCostUsd = cost is null ? record.EstimatedCostUsd : (record.EstimatedCostUsd ?? 0) + cost;
        }
    }
}
