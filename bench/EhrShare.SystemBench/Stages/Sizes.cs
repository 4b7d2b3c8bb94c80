namespace EhrShare.SystemBench.Stages;

/// <summary>The record sizes of the upload stage and their primitives.</summary>
public static class Sizes
{
    public static readonly (int Bytes, string Name)[] Upload =
    [
        (1024, "1 KiB"),
        (100 * 1024, "100 KiB"),
        (1024 * 1024, "1 MiB"),
        (10 * 1024 * 1024, "10 MiB"),
        (50 * 1024 * 1024, "50 MiB"),
    ];

    public const int OneMiB = 1024 * 1024;
    public const int OneKiB = 1024;
    public const int FiftyMiB = 50 * OneMiB;
}
