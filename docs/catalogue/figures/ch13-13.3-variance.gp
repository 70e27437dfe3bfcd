# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Variance of a dot product of random unit-variance vectors' noenhanced
set xlabel 'd_k' noenhanced
set ylabel 'variance' noenhanced
set logscale x
set logscale y
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 1
2 2
4 4
8 8
16 16
32 32
64 64
128 128
256 256
512 512
1024 1024
EOD
$s1 << EOD
1 1.019414016
2 1.957547569
4 4.228808643
8 8.074790274
16 16.38816187
32 31.90264483
64 62.23365871
128 130.0754132
256 252.8764369
512 483.4339025
1024 1005.12613
EOD
$s2 << EOD
1 1.019414016
2 0.9787737846
4 1.057202161
8 1.009348784
16 1.024260117
32 0.996957651
64 0.9724009173
128 1.016214166
256 0.9877985815
512 0.9442068409
1024 0.9815684859
EOD
plot $s0 using 1:2 with lines lw 2 title 'd_k', \
    $s1 using 1:2 with points pt 7 ps 1.1 title 'Var(q . k), sampled', \
    $s2 using 1:2 with points pt 7 ps 1.1 title 'Var(q . k / sqrt(d_k)), sampled'
