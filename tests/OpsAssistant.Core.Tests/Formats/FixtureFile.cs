namespace OpsAssistant.Core.Tests.Formats;

internal static class FixtureFile
{
    public static string Path(string relative) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    public static Stream Open(string relative) => File.OpenRead(Path(relative));
}
