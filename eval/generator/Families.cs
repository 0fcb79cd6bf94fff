using System.Globalization;

namespace OpsAssistant.EvalGenerator;

/// <summary>
/// The randomized families and the scenarios they expand to (<c>&lt;family&gt;-01</c>, <c>-02</c>, ...). Variant formats
/// rotate through all five wire formats, starting at a different one per family, so every family is read in every format.
/// </summary>
internal static class Families
{
    public static IReadOnlyList<Family> List { get; } =
    [
        .. FaultFamilies.All(),
        .. WaitFamilies.All(),
        .. MessagingFamilies.All(),
        .. DemoFlagFamily.All(),
        .. HealthyFamilies.All(),
        // Last, so the families above keep their place in the format rotation.
        .. BaselineFamilies.All(),
    ];

    public static IEnumerable<Scenario> All()
    {
        var formats = Enum.GetValues<WireFormat>();
        for (var f = 0; f < List.Count; f++)
        {
            var family = List[f];
            for (var v = 0; v < family.Variants; v++)
            {
                var variant = v;
                var name = string.Create(CultureInfo.InvariantCulture, $"{family.Name}-{v + 1:00}");
                yield return new Scenario(name, formats[(f + v) % formats.Length], family.Models, b =>
                {
                    var shape = new Shape(b);
                    var label = family.Build(shape, variant);
                    shape.Finish();
                    b.Summary = (b.Summary ?? family.Models) + " (" + shape.Style + ")";
                    return label;
                }, family.Name);
            }
        }
    }
}
