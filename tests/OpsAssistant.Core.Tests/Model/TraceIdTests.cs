using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Tests.Model;

/// <summary>A trace ID is validated once, at the edge, into the one form every store and source is asked with.</summary>
public sealed class TraceIdTests
{
    [Theory]
    [InlineData("4BF92F3577B34DA6A3CE929D0E0E4736", "4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("  4bf92f3577b34da6a3ce929d0e0e4736\n", "4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("A3CE929D0E0E4736", "0000000000000000a3ce929d0e0e4736")]
    public void TryParse_HexOfEitherLength_GivesTheNormalisedForm(string text, string expected)
    {
        Assert.True(TraceId.TryParse(text, out var id));
        Assert.Equal(expected, id.Value);
        Assert.Equal(expected, id.ToString());
        Assert.Equal(TraceId.Parse(expected), id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473")]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e4736aa")]
    [InlineData("zzf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("S3VjaGVuIQ==")]
    public void TryParse_AnythingElse_IsRefused(string? text)
    {
        Assert.False(TraceId.TryParse(text, out var id));
        Assert.Equal("", id.Value);
        Assert.Throws<FormatException>(() => TraceId.Parse(text ?? ""));
    }

    [Theory]
    [InlineData(AnalysisOrigin.Api, "api")]
    [InlineData(AnalysisOrigin.Chat, "chat")]
    [InlineData(AnalysisOrigin.Mcp, "mcp")]
    [InlineData(AnalysisOrigin.Alertmanager, "alertmanager")]
    [InlineData(AnalysisOrigin.Grafana, "grafana")]
    [InlineData(AnalysisOrigin.Cli, "cli")]
    public void Origin_StoredName_RoundTrips(AnalysisOrigin origin, string name)
    {
        Assert.Equal(name, origin.Name());
        Assert.Equal(origin, AnalysisOrigins.Parse(name));
    }

    [Fact]
    public void Origin_UnknownStoredName_ParsesToNull() => Assert.Null(AnalysisOrigins.Parse("pager"));
}
