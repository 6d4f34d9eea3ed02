from statistics import variance, pvariance, quantiles, median_low, median_high

xs = [1.5, 2.5, 2.5, 2.75, 3.25, 4.75]
print(round(variance(xs), 6), round(pvariance(xs), 6))
print(quantiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], n=4))
print(median_low([1, 3, 5, 7]), median_high([1, 3, 5, 7]))
