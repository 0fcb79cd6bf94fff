using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Sampling;
using OpsAssistant.Infrastructure.Telemetry;

namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>
/// The one place sampling overrides are made, ended and turned into strategies, whoever asks (the API, alerts, the chat):
/// validation, the ceiling on fully sampled services, the audit identity and the telemetry are the same for all of them.
/// </summary>
public sealed partial class SamplingOverrideService(
    ISamplingOverrideStore store,
    IOptionsMonitor<SamplingOptions> options,
    TimeProvider clock,
    ILogger<SamplingOverrideService> logger)
{
    /// <summary>Upper bound on the overrides one read considers; far beyond any real number in force at once.</summary>
    public const int MaxListed = 1000;

    /// <summary>How often, at most, one line counts the alerts that joined a service already raised.</summary>
    public static readonly TimeSpan JoinedSummaryInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _joinedLock = new();
    private readonly Dictionary<string, (int Count, DateTimeOffset Since)> _joined = new(StringComparer.Ordinal);

    public SamplingOptions Options => options.CurrentValue;

    /// <summary>The strategy a service's samplers should follow now (see <see cref="Resolve"/>).</summary>
    public async Task<SamplingStrategyResponse> StrategyAsync(string service, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var active = await store.ListOverridesAsync(clock.GetUtcNow(), MaxListed, cancellationToken).ConfigureAwait(false);
        var (rate, operations) = Resolve(service, settings, active);
        return new SamplingStrategyResponse(
            SamplingStrategyResponse.Probabilistic,
            new ProbabilisticSamplingStrategy(rate),
            new PerOperationSamplingStrategies(rate, settings.LowerBoundTracesPerSecond,
                operations.Select(o => new OperationSamplingStrategy(o.Operation, new ProbabilisticSamplingStrategy(o.Rate))).ToList()));
    }

    /// <summary>Every service with its own settings or an override in force, plus the default, as Jaeger's strategies file.</summary>
    public Task<StaticStrategiesDocument> StaticStrategiesAsync(CancellationToken cancellationToken) => StaticStrategiesAsync(true, cancellationToken);

    /// <summary>The strategies file; without <paramref name="includeOverrides"/>, the configured strategies alone (nothing says which services are under investigation).</summary>
    public async Task<StaticStrategiesDocument> StaticStrategiesAsync(bool includeOverrides, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        IReadOnlyList<SamplingOverride> active = includeOverrides
            ? await store.ListOverridesAsync(clock.GetUtcNow(), MaxListed, cancellationToken).ConfigureAwait(false)
            : [];
        var services = settings.Services.Keys.Concat(active.Select(o => o.Service)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var strategies = services.Select(service =>
        {
            var (rate, operations) = Resolve(service, settings, active);
            return new StaticStrategy(service, null, "probabilistic", rate,
                operations.Count == 0 ? null : operations.Select(o => new StaticStrategy(null, o.Operation, "probabilistic", o.Rate, null)).ToList());
        }).ToList();
        return new StaticStrategiesDocument(strategies, new StaticStrategy(null, null, "probabilistic", settings.DefaultRate, null));
    }

    /// <summary>
    /// A service's rate and per-operation rates now: its configured defaults, or, while an override is in force, the newest
    /// override's rate for the service and every configured operation.
    /// </summary>
    private static (double Rate, List<(string Operation, double Rate)> Operations) Resolve(string service, SamplingOptions settings, IReadOnlyList<SamplingOverride> active)
    {
        var current = active.FirstOrDefault(o => string.Equals(o.Service, service, StringComparison.Ordinal));
        settings.Services.TryGetValue(service, out var configured);
        var operations = (configured?.Operations ?? new Dictionary<string, double>())
            .OrderBy(o => o.Key, StringComparer.Ordinal)
            .Select(o => (o.Key, current?.Rate ?? o.Value))
            .ToList();
        return (current?.Rate ?? configured?.Rate ?? settings.DefaultRate, operations);
    }

    public async Task<SamplingChange> SetAsync(SamplingOverrideRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.CurrentValue;
        var invalid = Validate(request, settings);
        if (invalid is not null)
        {
            Record("rejected", request.CreatedBy);
            return invalid;
        }

        var entry = NewOverride(request);
        if (!await store.TryAddOverrideAsync(entry, settings.IncidentRate, settings.MaxFullServices, cancellationToken).ConfigureAwait(false))
        {
            Record("rejected", request.CreatedBy);
            LogCeiling(logger, request.Service, request.CreatedBy, settings.MaxFullServices);
            return new SamplingChange(SamplingChangeStatus.CeilingReached, null, "rate",
                $"{settings.MaxFullServices} services are already sampled at {settings.IncidentRate:0.###} or more, the limit " +
                $"{SamplingOptions.SectionName}:MaxFullServices allows; end one of their overrides first.");
        }

        Record("created", entry.CreatedBy);
        LogCreated(logger, entry.Id, entry.Service, entry.Rate, entry.ExpiresAt, entry.CreatedBy, entry.Reason);
        return new SamplingChange(SamplingChangeStatus.Created, entry, null, null);
    }

    /// <summary>
    /// An alert's raise of a service, validated as <see cref="SetAsync"/> validates, for the caller to write with the rest of
    /// its delivery (<see cref="OpsAssistant.Core.Analyses.IAlertIntake"/>); null when the request is invalid. Hand the write's
    /// outcome to <see cref="Report"/>.
    /// </summary>
    public AlertSamplingWrite? PrepareRaise(SamplingOverrideRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.CurrentValue;
        if (Validate(request, settings) is not null)
        {
            Record("rejected", request.CreatedBy);
            return null;
        }

        return AlertSamplingWrite.ForRaise(NewOverride(request), settings.IncidentRate, settings.MaxFullServices);
    }

    /// <summary>
    /// The telemetry and log of a committed raise. A raise that put its service at the rate gets its own line; alerts that
    /// add their overrides to a service already raised (a storm: one override per alert) are logged at debug level and
    /// counted in one line per service at most every <see cref="JoinedSummaryInterval"/>. Every override stays in the
    /// audit (<see cref="ListAsync"/>) and in the changes metric.
    /// </summary>
    public void Report(AlertSamplingWrite write, SamplingWriteOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (write.Raise is not { } entry)
        {
            return;
        }

        switch (outcome)
        {
            case SamplingWriteOutcome.Created:
                Record("created", entry.CreatedBy);
                LogCreated(logger, entry.Id, entry.Service, entry.Rate, entry.ExpiresAt, entry.CreatedBy, entry.Reason);
                break;
            case SamplingWriteOutcome.Joined:
                Record("created", entry.CreatedBy);
                Joined(entry);
                break;
            case SamplingWriteOutcome.CeilingReached:
                Record("rejected", entry.CreatedBy);
                LogCeiling(logger, entry.Service, entry.CreatedBy, write.MaxFullServices);
                break;
            default:
                break;
        }
    }

    private void Joined(SamplingOverride entry)
    {
        LogJoined(logger, entry.Id, entry.Service, entry.Rate, entry.ExpiresAt, entry.CreatedBy, entry.Reason);
        var now = clock.GetUtcNow();
        (int Count, DateTimeOffset Since) tally;
        lock (_joinedLock)
        {
            tally = _joined.TryGetValue(entry.Service, out var counted) ? counted : (0, now);
            tally.Count++;
            if (now - tally.Since < JoinedSummaryInterval)
            {
                _joined[entry.Service] = tally;
                return;
            }

            _joined.Remove(entry.Service);
        }

        LogJoinedSummary(logger, entry.Service, tally.Count, tally.Since);
    }

    /// <summary>Ends one override in force; null when there is no such override or it had already ended.</summary>
    public async Task<SamplingOverride?> EndAsync(string id, string endedBy, CancellationToken cancellationToken)
    {
        if (!await store.EndOverrideAsync(id, endedBy, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var ended = await store.GetOverrideAsync(id, cancellationToken).ConfigureAwait(false);
        Ended(ended is null ? [] : [ended]);
        return ended;
    }

    /// <summary>Ends every override in force for a service (the chat's "stop sampling checkout").</summary>
    public async Task<IReadOnlyList<SamplingOverride>> EndServiceAsync(string service, string endedBy, CancellationToken cancellationToken) =>
        Ended(await store.EndOverridesAsync(null, service, endedBy, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false));

    /// <summary>Ends every override a trigger made (an alert's resolved notification).</summary>
    public async Task<IReadOnlyList<SamplingOverride>> EndTriggerAsync(string trigger, string endedBy, CancellationToken cancellationToken) =>
        Ended(await store.EndOverridesAsync(trigger, null, endedBy, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false));

    public Task<SamplingOverride?> GetAsync(string id, CancellationToken cancellationToken) => store.GetOverrideAsync(id, cancellationToken);

    /// <summary>Overrides newest first: those in force now, or the whole audit.</summary>
    public Task<IReadOnlyList<SamplingOverride>> ListAsync(bool activeOnly, int limit, CancellationToken cancellationToken) =>
        store.ListOverridesAsync(activeOnly ? clock.GetUtcNow() : null, Math.Clamp(limit, 1, MaxListed), cancellationToken);

    /// <summary>Parses a TTL written as <c>00:30:00</c>, <c>30m</c>, <c>2h</c>, <c>90s</c> or <c>1d</c>.</summary>
    public static TimeSpan? ParseTtl(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        var unit = char.ToLowerInvariant(text[^1]);
        if (unit is 's' or 'm' or 'h' or 'd' && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            return unit switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span : null;
    }

    private SamplingOverride NewOverride(SamplingOverrideRequest request)
    {
        var now = clock.GetUtcNow();
        return new SamplingOverride
        {
            Id = "so-" + Guid.NewGuid().ToString("N")[..16],
            Service = request.Service,
            Rate = request.Rate,
            CreatedAt = now,
            ExpiresAt = now + request.Ttl,
            CreatedBy = request.CreatedBy,
            Reason = string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Trim(),
            Trigger = request.Trigger,
        };
    }

    private static SamplingChange? Validate(SamplingOverrideRequest request, SamplingOptions settings)
    {
        if (!SamplingNames.IsValidService(request.Service))
        {
            return SamplingChange.Invalid("service", $"'service' must be a service name of {SamplingNames.ServiceRule}");
        }

        if (!SamplingNames.IsValidRate(request.Rate))
        {
            return SamplingChange.Invalid("rate", "'rate' must be a probability between 0 and 1 (1 samples every trace).");
        }

        if (request.Ttl <= TimeSpan.Zero || request.Ttl > settings.MaxOverrideTtl)
        {
            return SamplingChange.Invalid("ttl",
                $"'ttl' must be positive and at most {settings.MaxOverrideTtl} ({SamplingOptions.SectionName}:MaxOverrideTtl); 'until' must lie within that time from now.");
        }

        if (request.Reason is { Length: > 500 })
        {
            return SamplingChange.Invalid("reason", "'reason' must be at most 500 characters.");
        }

        return null;
    }

    private IReadOnlyList<SamplingOverride> Ended(IReadOnlyList<SamplingOverride> ended)
    {
        foreach (var entry in ended)
        {
            Record("ended", entry.CreatedBy);
            LogEnded(logger, entry.Id, entry.Service, entry.EndedBy ?? "");
        }

        return ended;
    }

    /// <summary>The cause is the first word of the audit identity: operator, alert or chat.</summary>
    private static void Record(string change, string createdBy)
    {
        var cause = createdBy.Split(' ', 2)[0];
        OpsAssistantTelemetry.SamplingOverrideChanges.Add(1,
            new KeyValuePair<string, object?>("opsassistant.sampling.change", change),
            new KeyValuePair<string, object?>("opsassistant.sampling.cause", cause is "operator" or "alert" or "chat" ? cause : "other"));
        Activity.Current?.AddEvent(new ActivityEvent("sampling override " + change));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sampling override {OverrideId}: {Service} at {Rate} until {ExpiresAt:O}, by {CreatedBy} ({Reason})")]
    private static partial void LogCreated(ILogger logger, string overrideId, string service, double rate, DateTimeOffset expiresAt, string createdBy, string? reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sampling override {OverrideId}: {Service} at {Rate} until {ExpiresAt:O}, by {CreatedBy} ({Reason}); the service was already raised")]
    private static partial void LogJoined(ILogger logger, string overrideId, string service, double rate, DateTimeOffset expiresAt, string createdBy, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sampling of {Service}: {Count} more alerts raised it while it was already raised, since {Since:O} (each override is in the audit)")]
    private static partial void LogJoinedSummary(ILogger logger, string service, int count, DateTimeOffset since);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sampling override {OverrideId} of {Service} ended by {EndedBy}")]
    private static partial void LogEnded(ILogger logger, string overrideId, string service, string endedBy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sampling override of {Service} by {CreatedBy} refused: {MaxFullServices} services are already fully sampled")]
    private static partial void LogCeiling(ILogger logger, string service, string createdBy, int maxFullServices);
}
