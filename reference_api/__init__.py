"""The reference implementation of the Flash Sale Coupon API (story 1.2 + api-contract.md)."""
