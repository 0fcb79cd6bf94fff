using System.Globalization;
using OpsAssistant.Core.Sources;

namespace OpsAssistant.Server.Traces;

/// <summary>
/// The query string of <c>GET /api/traces</c>, taken as text and validated here so every mistake comes back as a
/// validation problem naming its parameter (model binding would answer a bare 400).
/// </summary>
internal static class TraceSearchRequest
{
    public const int MaxLimit = 1000;
    public const int DefaultLimit = 20;

    public static TraceQuery? TryParse(string? service, string? operation, string? from, string? to, string? error, string? limit, out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var fromTime = ParseTime(from, "from", errors);
        var toTime = ParseTime(to, "to", errors);
        if (fromTime is { } f && toTime is { } t && f > t)
        {
            errors["from"] = ["'from' must not be later than 'to'."];
        }

        bool? hasError = null;
        if (!string.IsNullOrWhiteSpace(error))
        {
            if (bool.TryParse(error, out var parsed))
            {
                hasError = parsed;
            }
            else
            {
                errors["error"] = ["'error' must be true or false."];
            }
        }

        var count = DefaultLimit;
        if (!string.IsNullOrWhiteSpace(limit) && (!int.TryParse(limit, NumberStyles.Integer, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"'limit' must be a whole number from 1 to {MaxLimit}."];
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return new TraceQuery
        {
            Service = string.IsNullOrWhiteSpace(service) ? null : service.Trim(),
            Operation = string.IsNullOrWhiteSpace(operation) ? null : operation.Trim(),
            From = fromTime,
            To = toTime,
            HasError = hasError,
            Limit = count,
        };
    }

    /// <summary>ISO-8601 (an offset or Z; none means UTC) or Unix milliseconds.</summary>
    private static DateTimeOffset? ParseTime(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            if (ms <= 253_402_300_799_999)
            {
                return DateTimeOffset.FromUnixTimeMilliseconds(ms);
            }
        }
        else if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }

        errors[name] = [$"'{name}' must be an ISO-8601 timestamp (2024-05-01T12:00:00Z) or Unix milliseconds."];
        return null;
    }
}
