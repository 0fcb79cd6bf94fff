using System.Globalization;
using System.Xml;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Infrastructure.Incidents;

namespace OpsAssistant.Server.Incidents;

/// <summary>Turns a request's service and window fields into a window, or validation errors keyed by the field.</summary>
internal static class IncidentWindowParser
{
    public const int MaxServiceLength = 256;

    public static (string? Service, IncidentTimeRange? Window, Dictionary<string, string[]> Errors) Parse(IncidentRequest? request, IncidentOptions options, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        var service = request?.Service?.Trim();
        if (string.IsNullOrEmpty(service) || service.Length > MaxServiceLength || service.Any(char.IsControl))
        {
            errors["service"] = [$"'service' is required: the service name as its spans carry it (service.name), at most {MaxServiceLength} characters."];
        }

        var from = Instant(request?.From, "from", errors);
        var to = Instant(request?.To, "to", errors);
        TimeSpan? duration = null;
        if (request?.Duration is { Length: > 0 } text)
        {
            duration = Duration(text);
            if (duration is not { } d || d <= TimeSpan.Zero)
            {
                errors["duration"] = ["'duration' must be a positive ISO 8601 duration (PT15M) or a time span (00:15:00)."];
            }
            else if (from is not null && to is not null)
            {
                errors["duration"] = ["Give 'duration' with at most one of 'from' and 'to'."];
            }
        }

        if (errors.Count > 0)
        {
            return (service, null, errors);
        }

        var length = duration ?? options.DefaultWindow;
        var end = to ?? (from is { } start && duration is not null ? start + length : now);
        var begin = from ?? end - length;
        if (end <= begin)
        {
            errors["to"] = ["'to' must be after 'from'."];
        }
        else if (end - begin > options.MaxWindow)
        {
            errors[request?.Duration is { Length: > 0 } ? "duration" : "from"] =
                [$"The window may be at most {options.MaxWindow} long ({IncidentOptions.SectionName}:MaxWindow)."];
        }
        else if (begin >= now)
        {
            errors["from"] = ["'from' must be in the past."];
        }

        return (service, errors.Count > 0 ? null : new IncidentTimeRange(begin, end), errors);
    }

    private static DateTimeOffset? Instant(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        errors[field] = [$"'{field}' must be an ISO 8601 date and time, e.g. 2026-12-05T10:15:00Z."];
        return null;
    }

    private static TimeSpan? Duration(string text)
    {
        text = text.Trim();
        if (text.StartsWith('P'))
        {
            try
            {
                return XmlConvert.ToTimeSpan(text);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span : null;
    }
}
