/**
 * A PLAUSIBLE TEST SCHEDULE for 2027, marked as such (`testSchedule: true`): not the State Council's,
 * which was not published when it was written. Tests that publish it use a database of their own, so
 * the other tests keep computing on the package's calendar.
 */
export const TEST_2027 = {
  holidays: [
    '2027-01-01', '2027-01-02', '2027-01-03', // 元旦 (Fri–Sun)
    '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', // 春节 (除夕 02-05)
    '2027-04-03', '2027-04-04', '2027-04-05', // 清明 (04-05)
    '2027-05-01', '2027-05-02', '2027-05-03', '2027-05-04', '2027-05-05', // 劳动节
    '2027-06-09', // 端午
    '2027-09-15', // 中秋
    '2027-10-01', '2027-10-02', '2027-10-03', '2027-10-04', '2027-10-05', '2027-10-06', '2027-10-07', // 国庆节
  ],
  workdays: ['2027-01-31', '2027-02-20', '2027-04-25', '2027-05-08', '2027-09-26', '2027-10-09'],
  sourceDocument: '测试用日程 (plausible test schedule, not the State Council notice)',
  sourceDate: '2026-11-20',
  testSchedule: true,
};
