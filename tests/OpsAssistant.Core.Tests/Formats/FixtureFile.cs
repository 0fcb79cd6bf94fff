namespace OpsAssistant.Core.Tests.Formats;

internal static class FixtureFile
{
    public static string Path(string relative) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    public static Stream Open(string relative) => File.OpenRead(Path(relative));

    /// <summary>The fixture's one trace, read as a file of one trace is.</summary>
    public static async Task<OpsAssistant.Core.Model.Trace> ReadSingleAsync(string relative)
    {
        await using var stream = Open(relative);
        return await OpsAssistant.Core.Formats.TraceReader.ReadSingleAsync(stream);
    }
}
