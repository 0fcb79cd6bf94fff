using System.Text.RegularExpressions;

namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>What a service name and a rate may be, shared by configuration, the API and the chat.</summary>
public static partial class SamplingNames
{
    public const int MaxServiceLength = 128;

    public const string ServiceRule = "1 to 128 characters: letters, digits and . _ - : /, starting with a letter or digit.";

    /// <summary>
    /// Names as OpenTelemetry <c>service.name</c> values are written in practice (<c>checkout</c>, <c>ts-order-service</c>,
    /// <c>shop.frontend</c>); anything else (spaces, quotes, control characters) is a typo or an injection attempt.
    /// </summary>
    public static bool IsValidService(string? service) => service is not null && ServicePattern().IsMatch(service);

    public static bool IsValidRate(double rate) => rate is >= 0 and <= 1;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:/\-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ServicePattern();
}
