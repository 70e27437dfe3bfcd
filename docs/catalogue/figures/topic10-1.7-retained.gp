# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Decay at the largest allowed rates' noenhanced
set xlabel 'layer l' noenhanced
set ylabel 'variance left / initial variance' noenhanced
set logscale y
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
0 1
1 0.8254041853
2 0.6812920691
3 0.5623413252
4 0.4641588834
5 0.383118685
6 0.316227766
7 0.2610157216
8 0.215443469
9 0.177827941
10 0.1467799268
11 0.1211527659
12 0.1
13 0.08254041853
14 0.06812920691
15 0.05623413252
16 0.04641588834
17 0.0383118685
18 0.0316227766
19 0.02610157216
20 0.0215443469
21 0.0177827941
22 0.01467799268
23 0.01211527659
24 0.01
EOD
$s1 << EOD
0 1
1 0.6812920691
2 0.4641588834
3 0.316227766
4 0.215443469
5 0.1467799268
6 0.1
7 0.06812920691
8 0.04641588834
9 0.0316227766
10 0.0215443469
11 0.01467799268
12 0.01
13 0.006812920691
14 0.004641588834
15 0.00316227766
16 0.00215443469
17 0.001467799268
18 0.001
19 0.0006812920691
20 0.0004641588834
21 0.000316227766
22 0.000215443469
23 0.0001467799268
24 0.0001
EOD
$s2 << EOD
0 0.1
24 0.1
EOD
$s3 << EOD
12 0.001
12 1
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'lambda = ln(10)/24 (variance reading)', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'lambda = ln(10)/12 (norm reading)', \
    $s2 using 1:2 with lines lw 2 title '10%', \
    $s3 using 1:2 with lines lw 2 title 'layer 12'
