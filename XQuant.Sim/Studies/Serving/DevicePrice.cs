namespace XQuant.Sim.Studies.Serving;

/// <summary>One published on-demand price of one device per hour, with where and when it was published.</summary>
public sealed record DevicePrice(string Device, double UsdPerDeviceHour, string Provider, string Offer, string Source, string AsOf, string Note)
{
    public string Describe() => $"{Provider} {Offer}, {Source}, as of {AsOf}";
}
