using EdgeEnergy.Control.Forecasting.LoadModel;

namespace EdgeEnergy.Control.Tests.Forecasting;

public class UkBankHolidaysTests
{
    [Fact]
    public void The_2022_holidays_of_England_and_Wales_are_the_proclaimed_ones()
    {
        // New Year's Day on a Saturday → Monday 3 Jan; Easter 17 Apr; the spring holiday moved to Thursday 2 June with
        // the Jubilee on Friday 3 June; the Queen's funeral; Christmas on a Sunday → Tuesday 27 Dec.
        DateOnly[] expected =
        [
            new(2022, 1, 3), new(2022, 4, 15), new(2022, 4, 18), new(2022, 5, 2), new(2022, 6, 2), new(2022, 6, 3),
            new(2022, 8, 29), new(2022, 9, 19), new(2022, 12, 26), new(2022, 12, 27),
        ];
        Assert.Equal(expected, UkBankHolidays.For(2022).Order());
    }

    [Theory]
    [InlineData(2020, "2020-01-01,2020-04-10,2020-04-13,2020-05-08,2020-05-25,2020-08-31,2020-12-25,2020-12-28")]
    [InlineData(2021, "2021-01-01,2021-04-02,2021-04-05,2021-05-03,2021-05-31,2021-08-30,2021-12-27,2021-12-28")]
    [InlineData(2023, "2023-01-02,2023-04-07,2023-04-10,2023-05-01,2023-05-08,2023-05-29,2023-08-28,2023-12-25,2023-12-26")]
    [InlineData(2027, "2027-01-01,2027-03-26,2027-03-29,2027-05-03,2027-05-31,2027-08-30,2027-12-27,2027-12-28")]
    public void Other_years_follow_the_rules_and_their_proclamations(int year, string dates)
    {
        Assert.Equal(dates.Split(',').Select(d => DateOnly.Parse(d, System.Globalization.CultureInfo.InvariantCulture)), UkBankHolidays.For(year).Order());
    }

    [Theory]
    [InlineData(2019, 4, 21)]
    [InlineData(2022, 4, 17)]
    [InlineData(2024, 3, 31)]
    [InlineData(2038, 4, 25)]
    public void Easter_Sunday_is_computed(int year, int month, int day) =>
        Assert.Equal(new DateOnly(year, month, day), UkBankHolidays.EasterSunday(year));

    [Fact]
    public void The_calendar_places_slots_in_local_time_with_their_holiday()
    {
        // Slot 0 at 23:00 UTC on Sunday 1 May 2022 = 00:00 BST on Monday 2 May, a bank holiday.
        var calendar = new SlotCalendar(new DateTimeOffset(2022, 5, 1, 23, 0, 0, TimeSpan.Zero), TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));
        Assert.Equal(new SlotDay(0, 0, Holiday: true), calendar.At(0));
        Assert.True(calendar.At(0).OffDay);
        Assert.Equal(new SlotDay(0, 1, Holiday: false), calendar.At(48)); // Tuesday
        Assert.False(calendar.At(48).OffDay);
    }

    [Theory]
    [InlineData(0)]      // a plain week in January
    [InlineData(3_950)]  // across the clocks going forward (27 March 2022)
    [InlineData(14_400)] // across the clocks going back (30 October 2022)
    public void Filling_a_run_of_slots_agrees_with_asking_slot_by_slot(int first)
    {
        var calendar = new SlotCalendar(new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));
        var filled = new SlotDay[200];
        calendar.Fill(first, filled);
        Assert.Equal(Enumerable.Range(first, filled.Length).Select(calendar.At), filled);
    }
}
