using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Results;
using OpsAssistant.Infrastructure.Analyses;
using OpsAssistant.Infrastructure.Sources;

namespace OpsAssistant.Server.Analyses;

/// <summary><c>POST /api/analyses</c> runs an analysis and stores it; <c>GET /api/analyses/{id}</c> reads it back with its status.</summary>
internal static class AnalysisEndpoints
{
    public static IEndpointRouteBuilder MapAnalysisEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/analyses").WithTags("Analyses");
        group.MapPost("/", CreateAsync).RequireRateLimiting(RateLimiting.LlmRateLimiting.PolicyName).WithName("CreateAnalysis").WithSummary("Analyse a trace and return ranked root-cause hypotheses.");
        group.MapGet("/{id}", GetAsync).WithName("GetAnalysis").WithSummary("A stored analysis: its status and, when done, the result.");
        return endpoints;
    }

    internal static async Task<Results<Ok<AnalysisResult>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        AnalysisRequest? request, TraceAnalysisService analysis, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!TraceId.TryParse(request?.TraceId, out var traceId))
        {
            errors["traceId"] = [$"'traceId' is required: {TraceId.Format}."];
        }

        if (request?.Source is { } name && !TraceSourceKinds.IsName(name))
        {
            errors["source"] = [$"'source' must be one of {string.Join(", ", TraceSourceKinds.Names)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid analysis request");
        }

        var outcome = await analysis.AnalyzeAsync(
            new TraceAnalysisRequest(traceId, AnalysisOrigin.Api) { Source = request!.Source?.Trim(), Record = true }, cancellationToken);
        if (outcome.Kind == TraceOutcomeKind.Found)
        {
            Activity.Current?.SetTag("opsassistant.trace_id", traceId.Value);
        }

        return outcome.Kind switch
        {
            TraceOutcomeKind.Found => TypedResults.Ok(outcome.Result),
            TraceOutcomeKind.NotFound => TypedResults.Problem($"Trace {traceId} was not found in the {outcome.Source} source.", statusCode: StatusCodes.Status404NotFound, title: "Trace not found"),
            _ => TypedResults.Problem(outcome.Failure, statusCode: StatusCodes.Status502BadGateway, title: "Trace source unavailable"),
        };
    }

    /// <summary>A done analysis is the result contract plus its status fields; others are the status fields alone.</summary>
    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetAsync(string id, IAnalysisStore analyses, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var stored = id.Length <= 64 ? await analyses.GetAsync(id, cancellationToken) : null;
        if (stored is null)
        {
            return TypedResults.Problem($"No analysis with ID {id}.", statusCode: StatusCodes.Status404NotFound, title: "Analysis not found");
        }

        // Results are stored redacted; rows written before that, and alert subjects and errors, are redacted on the way out.
        var record = redactor.Redact(stored);

        var body = record.Result is null
            ? new JsonObject { ["analysisId"] = record.Id, ["traceId"] = record.TraceId }
            : JsonSerializer.SerializeToNode(record.Result, ResultJson.Options)!.AsObject();
        body["status"] = record.Status.ToString().ToLowerInvariant();
        body["origin"] = record.Origin;
        body["createdAt"] = record.CreatedAt;
        body["completedAt"] = record.CompletedAt;
        body["error"] = record.Error;
        if (record.Origin is not (AnalysisOrigins.Api or AnalysisOrigins.Chat))
        {
            body["subject"] = record.Subject;
            body["attempts"] = record.Attempts;
            body["resolvedAt"] = record.ResolvedAt;
        }

        return TypedResults.Text(body.ToJsonString(ResultJson.Options), "application/json");
    }
}
