using System.Globalization;
using System.Text;
using OpsAssistant.Infrastructure.Sampling;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>
/// Carries out a sampling request made in a conversation, for the deterministic path and the LLM's tools alike, and says
/// what happened in one short paragraph. Every change is attributed to <c>chat &lt;conversationId&gt;</c> in the audit.
/// </summary>
public sealed class SamplingChat(SamplingOverrideService overrides, string conversationId)
{
    private string Actor => "chat " + conversationId;

    public async Task<string> ApplyAsync(SamplingIntent intent, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(intent);
        return intent.Kind switch
        {
            SamplingIntentKind.Set => await SetAsync(intent, reason, cancellationToken).ConfigureAwait(false),
            SamplingIntentKind.Stop => await StopAsync(intent.Service ?? "", cancellationToken).ConfigureAwait(false),
            _ => await ShowAsync(cancellationToken).ConfigureAwait(false),
        };
    }

    private async Task<string> SetAsync(SamplingIntent intent, string? reason, CancellationToken cancellationToken)
    {
        var ttl = intent.Ttl ?? overrides.Options.IncidentTtl;
        var change = await overrides.SetAsync(
            new SamplingOverrideRequest(intent.Service ?? "", intent.Rate ?? overrides.Options.IncidentRate, ttl, reason ?? "asked in chat", Actor), cancellationToken).ConfigureAwait(false);
        if (change.Override is not { } made)
        {
            return $"I did not change sampling: {change.Message}";
        }

        return $"Sampling {made.Service} at {Percent(made.Rate)} until {Time(made.ExpiresAt)} (override {made.Id}). " +
            $"Say \"stop sampling {made.Service}\" to undo it sooner.";
    }

    private async Task<string> StopAsync(string service, CancellationToken cancellationToken)
    {
        if (!SamplingNames.IsValidService(service))
        {
            return $"I did not change sampling: '{service}' is not a service name ({SamplingNames.ServiceRule})";
        }

        var ended = await overrides.EndServiceAsync(service, Actor, cancellationToken).ConfigureAwait(false);
        if (ended.Count == 0)
        {
            return $"{service} has no sampling override in force; it is sampled at its configured rate.";
        }

        var strategy = await overrides.StrategyAsync(service, cancellationToken).ConfigureAwait(false);
        return $"Ended {ended.Count} sampling override{(ended.Count == 1 ? "" : "s")} of {service} ({string.Join(", ", ended.Select(o => o.Id))}); " +
            $"it is back to {Percent(strategy.ProbabilisticSampling.SamplingRate)}.";
    }

    private async Task<string> ShowAsync(CancellationToken cancellationToken)
    {
        var active = await overrides.ListAsync(activeOnly: true, 50, cancellationToken).ConfigureAwait(false);
        if (active.Count == 0)
        {
            return $"No sampling overrides are in force: every service is sampled at its configured rate (default {Percent(overrides.Options.DefaultRate)}).";
        }

        var text = new StringBuilder("Sampling overrides in force:");
        foreach (var entry in active)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n- {entry.Service} at {Percent(entry.Rate)} until {Time(entry.ExpiresAt)}, by {entry.CreatedBy}");
            if (entry.Reason is { } why)
            {
                text.Append(CultureInfo.InvariantCulture, $" ({why})");
            }

            text.Append(CultureInfo.InvariantCulture, $" [{entry.Id}]");
        }

        return text.ToString();
    }

    private static string Percent(double rate) => (rate * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
