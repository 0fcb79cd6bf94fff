using System.Globalization;
using System.Text.RegularExpressions;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>
/// Reads the few sampling commands an operator types without an LLM: whole-message patterns only, so a question that merely
/// mentions sampling is never taken for a command. The service name is returned as typed; the override service validates it.
/// </summary>
public static partial class SamplingIntentParser
{
    public static SamplingIntent? Parse(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        var text = Whitespace().Replace(message.Trim().TrimEnd('.', '!', '?'), " ");
        if (ShowPattern().IsMatch(text))
        {
            return new SamplingIntent(SamplingIntentKind.Show);
        }

        if (StopPattern().Match(text) is { Success: true } stop)
        {
            return new SamplingIntent(SamplingIntentKind.Stop, Service(stop));
        }

        if (SetPattern().Match(text) is not { Success: true } set)
        {
            return null;
        }

        var rate = set.Groups["full"].Success ? 1.0
            : set.Groups["pct"].Success ? double.Parse(set.Groups["pct"].Value, CultureInfo.InvariantCulture) / 100
            : double.Parse(set.Groups["prob"].Value, CultureInfo.InvariantCulture);
        TimeSpan? ttl = null;
        if (set.Groups["amount"].Success)
        {
            var amount = double.Parse(set.Groups["amount"].Value, CultureInfo.InvariantCulture);
            ttl = char.ToLowerInvariant(set.Groups["unit"].Value[0]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        return new SamplingIntent(SamplingIntentKind.Set, Service(set), rate, ttl);
    }

    private static string Service(Match match) => match.Groups["service"].Value.Trim('"', '\'', '`');

    [GeneratedRegex(@"^(?:please )?(?:(?:show|list|what are)(?: me)?(?: the| all| active| current)* )?sampling overrides?$|^(?:please )?(?:show|list)(?: me)?(?: the| all| active| current)* sampling$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ShowPattern();

    [GeneratedRegex(@"^(?:please )?(?:stop|end|undo|cancel|reset)(?: full| the)? sampling(?: override)?(?: of| for)? (?<service>\S+)(?: fully)?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StopPattern();

    [GeneratedRegex(@"^(?:please )?sample (?<service>\S+) (?:(?<full>fully|completely|everything|all(?: traces)?)|(?:at )?(?<pct>\d+(?:\.\d+)?) ?%|at (?<prob>[01](?:\.\d+)?))(?: for (?<amount>\d+(?:\.\d+)?) ?(?<unit>s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?))?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SetPattern();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
