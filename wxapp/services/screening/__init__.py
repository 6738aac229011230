"""The free pre-pregnancy check (免费孕前优生健康检查): couples and eligibility, clinic
schedules, bookings and the waitlist, results and follow-up, notices and the year's figures."""
