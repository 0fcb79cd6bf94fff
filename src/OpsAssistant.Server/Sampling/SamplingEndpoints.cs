using Microsoft.AspNetCore.Http.HttpResults;
using OpsAssistant.Infrastructure.Sampling;
using OpsAssistant.Server.Security;

namespace OpsAssistant.Server.Sampling;

/// <summary>
/// <c>GET /api/sampling?service=</c> serves Jaeger remote-sampling strategies (what OpenTelemetry SDKs' Jaeger remote
/// sampler and the Collector's jaegerremotesampling extension poll); <c>/api/sampling/overrides</c> changes them for a
/// while and keeps the audit. Strategy reads may be anonymous (<see cref="SamplingOptions.AllowAnonymousStrategies"/>),
/// override routes never are when API keys are configured.
/// </summary>
internal static class SamplingEndpoints
{
    public static IEndpointRouteBuilder MapSamplingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/sampling").WithTags("Sampling");
        group.MapGet("/", GetStrategyAsync)
            .RequireAuthorization(ApiScopes.Strategies)
            .WithName("GetSamplingStrategy")
            .WithSummary("The Jaeger remote-sampling strategy of a service (probabilistic, per operation), including overrides in force.");
        group.MapGet("/strategies", GetStrategiesFileAsync)
            .RequireAuthorization(ApiScopes.Strategies)
            .WithName("GetSamplingStrategiesFile")
            .WithSummary("All strategies as Jaeger's sampling-strategies file, for the OpenTelemetry Collector's jaegerremotesampling source.file (an http URL).");
        group.MapGet("/overrides", ListAsync)
            .RequireAuthorization(ApiScopes.Read)
            .WithName("ListSamplingOverrides")
            .WithSummary("Sampling overrides newest first, active and past, with who or what made and ended each (the audit).");
        group.MapPost("/overrides", CreateAsync)
            .RequireAuthorization(ApiScopes.Operate)
            .WithName("CreateSamplingOverride")
            .WithSummary("Sample a service at a rate for a while (ttl or until); refused past OpsAssistant:Sampling:MaxFullServices fully sampled services.");
        group.MapDelete("/overrides/{id}", EndAsync)
            .RequireAuthorization(ApiScopes.Operate)
            .WithName("EndSamplingOverride")
            .WithSummary("End an override now (undo); the service returns to its configured rate.");
        return endpoints;
    }

    /// <summary>
    /// The strategies file. An anonymous caller (keys configured, none presented) gets the configured strategies only:
    /// which services are sampled up because of an incident is for callers with a key, not for anyone who can reach the port.
    /// </summary>
    internal static async Task<Ok<StaticStrategiesDocument>> GetStrategiesFileAsync(
        HttpContext context, SamplingOverrideService overrides, Microsoft.Extensions.Options.IOptionsMonitor<SecurityOptions> security, CancellationToken cancellationToken)
    {
        var anonymous = security.CurrentValue.HasKeys && context.User.Identity?.IsAuthenticated != true;
        return TypedResults.Ok(await overrides.StaticStrategiesAsync(includeOverrides: !anonymous, cancellationToken));
    }

    internal static async Task<Results<Ok<SamplingStrategyResponse>, ValidationProblem>> GetStrategyAsync(
        string? service, SamplingOverrideService overrides, CancellationToken cancellationToken)
    {
        if (!SamplingNames.IsValidService(service))
        {
            return Invalid("service", $"'service' is required: a service name of {SamplingNames.ServiceRule}");
        }

        return TypedResults.Ok(await overrides.StrategyAsync(service!, cancellationToken));
    }

    internal static async Task<Results<Ok<IReadOnlyList<OverrideView>>, ValidationProblem>> ListAsync(
        bool? active, int? limit, SamplingOverrideService overrides, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > SamplingOverrideService.MaxListed)
        {
            return Invalid("limit", $"'limit' must be between 1 and {SamplingOverrideService.MaxListed}.");
        }

        var now = clock.GetUtcNow();
        var rows = await overrides.ListAsync(active ?? false, limit ?? 200, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<OverrideView>>(rows.Select(o => OverrideView.From(o, now)).ToList());
    }

    internal static async Task<Results<Created<OverrideView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        OverrideRequest? request, HttpContext context, SamplingOverrideService overrides, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request?.Rate is not { } rate)
        {
            return Invalid("rate", "'rate' is required: a probability between 0 and 1.");
        }

        var now = clock.GetUtcNow();
        var settings = overrides.Options;
        TimeSpan ttl;
        if (request.Until is { } until)
        {
            ttl = until - now;
        }
        else if (request.Ttl is null)
        {
            ttl = settings.IncidentTtl;
        }
        else if (SamplingOverrideService.ParseTtl(request.Ttl) is { } parsed)
        {
            ttl = parsed;
        }
        else
        {
            return Invalid("ttl", "'ttl' must be a duration such as 30m, 2h or 00:30:00.");
        }

        if (request.Operator is { Length: > 100 })
        {
            return Invalid("operator", "'operator' must be at most 100 characters.");
        }

        // The audit appends "(key 1a2b3c4d)" itself: a name with brackets could pass for another key's fingerprint.
        if (request.Operator is { } name && name.Any(c => !(char.IsLetterOrDigit(c) || c is ' ' or '.' or '-' or '_' or '@')))
        {
            return Invalid("operator", "'operator' may hold letters, digits, spaces and . - _ @ only.");
        }

        var change = await overrides.SetAsync(
            new SamplingOverrideRequest(request.Service?.Trim() ?? "", rate, ttl, request.Reason is null ? null : OpsAssistant.Core.Prompting.ControlCharacters.Escape(request.Reason),
                OperatorIdentity(context, request.Operator)), cancellationToken);
        return change.Status switch
        {
            SamplingChangeStatus.Created => TypedResults.Created($"/api/sampling/overrides/{change.Override!.Id}", OverrideView.From(change.Override, now)),
            SamplingChangeStatus.Invalid => Invalid(request.Until is not null && change.Field == "ttl" ? "until" : change.Field!, change.Message!),
            _ => TypedResults.Problem(change.Message, statusCode: StatusCodes.Status409Conflict, title: "Too many fully sampled services"),
        };
    }

    internal static async Task<Results<Ok<OverrideView>, ProblemHttpResult>> EndAsync(
        string id, HttpContext context, SamplingOverrideService overrides, TimeProvider clock, CancellationToken cancellationToken)
    {
        var ended = await overrides.EndAsync(id, OperatorIdentity(context, null), cancellationToken);
        if (ended is not null)
        {
            return TypedResults.Ok(OverrideView.From(ended, clock.GetUtcNow()));
        }

        var existing = await overrides.GetAsync(id, cancellationToken);
        return existing is null
            ? TypedResults.Problem($"No sampling override has the ID '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Override not found")
            : TypedResults.Problem($"Override '{id}' is no longer in force ({OverrideView.From(existing, clock.GetUtcNow()).Status}).",
                statusCode: StatusCodes.Status409Conflict, title: "Override already over");
    }

    /// <summary>
    /// "operator alice (key 3fa4c2d1)": the name the caller gave, if any, and a fingerprint of the API key used, never the
    /// key itself, so the audit tells keys apart without storing a secret.
    /// </summary>
    internal static string OperatorIdentity(HttpContext context, string? name)
    {
        var who = string.IsNullOrWhiteSpace(name) ? "operator" : "operator " + name.Trim();
        var fingerprint = context.User.FindFirst(ApiKeyAuthenticationHandler.FingerprintClaim)?.Value;
        return fingerprint is null ? who + " (no API key)" : $"{who} (key {fingerprint})";
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: $"Invalid '{field}'");
}
