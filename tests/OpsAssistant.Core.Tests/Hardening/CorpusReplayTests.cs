using OpsAssistant.Core.Formats;

namespace OpsAssistant.Core.Tests.Hardening;

/// <summary>
/// Replays every input that ever broke a reader (kept under <c>tests/corpus/&lt;reader&gt;/</c>, saved there by the
/// harness when a fuzz test fails): each must now return a trace or a format error.
/// </summary>
public sealed class CorpusReplayTests
{
    public static TheoryData<string> Readers => [.. Seeds.JsonFormats, OtlpProtobufFuzzTests.Suite, "shapeless"];

    [Theory]
    [MemberData(nameof(Readers))]
    public void Replay_EveryKeptInput_ReturnsATraceOrAFormatError(string reader)
    {
        var dir = BadInputHarness.CorpusDirectory(reader);
        var files = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.bin") : [];
        Action<byte[]> read = reader == OtlpProtobufFuzzTests.Suite ? OtlpProtobufFuzzTests.DecodeAndAnalyze : TraceReaderFuzzTests.ReadAndAnalyze;
        var failures = files.Select(f => BadInputHarness.Check(reader, File.ReadAllBytes(f), read, typeof(TraceFormatException))).OfType<string>().ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
