using System.Diagnostics;
using System.Text.Json;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Incidents;

namespace OpsAssistant.Core.Evaluation.Incidents;

/// <summary>
/// Runs the incident eval cases (docs/eval.md, "Incident cases"): each directory holds <c>previous.json</c> and
/// <c>current.json</c> (traces in any supported format, several per file) and <c>expected.json</c>
/// (<c>{"service": "…", "changed": {"dimension": "…", "value": "…"}}</c>, or <c>"changed": null</c>). The comparison is the
/// one the service runs (<see cref="IncidentComparer"/>); a case scores rank 1 when the top change is the expected value or
/// lists it among its aliases.
/// </summary>
public static class IncidentEvalRunner
{
    public const string PreviousFileName = "previous.json";
    public const string CurrentFileName = "current.json";

    public static async Task<IncidentEvalReport> RunAsync(string casesDirectory, CancellationToken cancellationToken = default)
    {
        var results = new List<IncidentEvalCaseResult>();
        foreach (var directory in Directory.EnumerateDirectories(casesDirectory).Order(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(directory, EvalRunner.ExpectedFileName)))
            {
                continue;
            }

            results.Add(await RunCaseAsync(directory, cancellationToken).ConfigureAwait(false));
        }

        var scored = results.Where(r => r.Expected is not null || r.Error is not null).ToList();
        return new IncidentEvalReport
        {
            Cases = results.Count,
            Top1 = scored.Count == 0 ? 0 : scored.Count(r => r.Rank == 1) / (double)scored.Count,
            Top3 = scored.Count == 0 ? 0 : scored.Count(r => r.Rank is <= 3) / (double)scored.Count,
            Healthy = results.Count(r => r.Expected is null && r.Error is null),
            FalseAlarms = results.Count(r => r.FalseAlarm),
            Errored = results.Count(r => r.Error is not null),
            MeanElapsedMs = results.Count == 0 ? 0 : Math.Round(results.Average(r => r.ElapsedMs), 1),
            Results = results,
        };
    }

    public static async Task<IncidentEvalCaseResult> RunCaseAsync(string directory, CancellationToken cancellationToken = default)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (service, expected) = ReadExpected(await File.ReadAllBytesAsync(Path.Combine(directory, EvalRunner.ExpectedFileName), cancellationToken).ConfigureAwait(false));
            var previous = await ReadWindowAsync(Path.Combine(directory, PreviousFileName), service, cancellationToken).ConfigureAwait(false);
            var current = await ReadWindowAsync(Path.Combine(directory, CurrentFileName), service, cancellationToken).ConfigureAwait(false);
            var comparison = IncidentComparer.Compare(previous, current);
            int? rank = null;
            if (expected is { } value)
            {
                var index = comparison.Changes.ToList().FindIndex(c => Matches(c, value));
                rank = index < 0 ? null : index + 1;
            }

            return new IncidentEvalCaseResult
            {
                Case = name,
                Expected = expected?.ToString(),
                Rank = rank,
                Top = comparison.Changes.Count > 0 ? $"{comparison.Changes[0].Dimension}={comparison.Changes[0].Value}" : null,
                Changes = comparison.Changes.Count,
                FalseAlarm = expected is null && comparison.Changes.Count > 0,
                ElapsedMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1),
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or JsonException or TraceFormatException)
        {
            return new IncidentEvalCaseResult { Case = name, Error = ex.Message, ElapsedMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1) };
        }
    }

    /// <summary>The expected value matches the change itself or one of its aliases (dimension and value case-sensitive, as stored).</summary>
    public static bool Matches(DimensionChange change, IncidentDimension expected)
    {
        ArgumentNullException.ThrowIfNull(change);
        return (string.Equals(change.Dimension, expected.Key, StringComparison.Ordinal) && string.Equals(change.Value, expected.Value, StringComparison.Ordinal))
            || change.AlsoMatches.Contains(expected.ToString(), StringComparer.Ordinal);
    }

    private static async Task<List<IncidentTrace>> ReadWindowAsync(string path, string service, CancellationToken cancellationToken)
    {
        var read = await TraceReader.ReadFileAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        return read.Traces.Select(t => IncidentDimensions.Extract(t.TraceId, t.Spans, service)).OfType<IncidentTrace>().ToList();
    }

    private static (string Service, IncidentDimension? Expected) ReadExpected(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("service", out var service) || service.ValueKind != JsonValueKind.String || service.GetString() is not { Length: > 0 } name)
        {
            throw new FormatException("expected.json needs \"service\": the service whose windows are compared");
        }

        if (!root.TryGetProperty("changed", out var changed))
        {
            throw new FormatException("expected.json needs \"changed\": {\"dimension\", \"value\"}, or null when nothing changed");
        }

        if (changed.ValueKind == JsonValueKind.Null)
        {
            return (name, null);
        }

        if (changed.ValueKind != JsonValueKind.Object
            || !changed.TryGetProperty("dimension", out var dimension) || dimension.ValueKind != JsonValueKind.String || dimension.GetString() is not { Length: > 0 } key
            || !changed.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new FormatException("expected.json's \"changed\" must be {\"dimension\": \"…\", \"value\": \"…\"} or null");
        }

        return (name, new IncidentDimension(key, value.GetString()!));
    }
}
