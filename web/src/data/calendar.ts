export type Weekday = 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';
export const WEEKDAYS: readonly Weekday[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Routing's calendar: the one format business hours use everywhere (spans per weekday, holiday dates). */
export interface Calendar {
  id: string;
  name: string;
  timeZone: string;
  weekly: Partial<Record<Weekday, Array<[string, string]>>>;
  holidays: string[];
}
