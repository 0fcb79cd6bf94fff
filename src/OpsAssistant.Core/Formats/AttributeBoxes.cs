namespace OpsAssistant.Core.Formats;

/// <summary>Cached boxes for the values attributes repeat most (booleans, small integers), so a million spans do not box "true" a million times.</summary>
internal static class AttributeBoxes
{
    private static readonly object True = true;
    private static readonly object False = false;
    private static readonly object[] SmallIntegers = Enumerable.Range(-1, 1026).Select(i => (object)(long)i).ToArray();

    public static object Box(bool value) => value ? True : False;

    public static object Box(long value) => value is >= -1 and <= 1024 ? SmallIntegers[value + 1] : value;
}
