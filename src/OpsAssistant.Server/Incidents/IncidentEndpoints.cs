using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Infrastructure.Incidents;

namespace OpsAssistant.Server.Incidents;

/// <summary>
/// <c>POST /api/incidents</c> compares a service's traces in a window with the window before and analyses exemplars (the
/// same as an alert without a trace ID gets); <c>GET /api/incidents/{id}</c> reads a stored incident, queued, running or done.
/// </summary>
internal static class IncidentEndpoints
{
    public static IEndpointRouteBuilder MapIncidentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/incidents").WithTags("Incidents");
        group.MapPost("/", CreateAsync).RequireRateLimiting(RateLimiting.LlmRateLimiting.PolicyName).WithName("CreateIncident")
            .WithSummary("Compare a service's traces in a window with the window before: what changed, with analysed exemplar traces.");
        group.MapGet("/{id}", GetAsync).WithName("GetIncident").WithSummary("A stored incident: its status and, when done, the result.");
        return endpoints;
    }

    internal static async Task<Results<Ok<IncidentResult>, ValidationProblem>> CreateAsync(
        IncidentRequest? request, IncidentService incidents, IOptions<IncidentOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var (service, window, errors) = IncidentWindowParser.Parse(request, options.Value, time.GetUtcNow());
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid incident request");
        }

        var result = await incidents.CreateAsync(service!, window!, "api", cancellationToken);
        return TypedResults.Ok(result);
    }

    internal static async Task<Results<Ok<IncidentResult>, ProblemHttpResult>> GetAsync(string id, IIncidentStore incidents, CancellationToken cancellationToken)
    {
        var stored = id.Length <= 64 ? await incidents.GetAsync(id, cancellationToken) : null;
        return stored is null
            ? TypedResults.Problem($"No incident with ID {id}.", statusCode: StatusCodes.Status404NotFound, title: "Incident not found")
            : TypedResults.Ok(stored);
    }
}
