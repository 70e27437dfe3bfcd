# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Largest softmax weight of 8 random scores' noenhanced
set xlabel 'd_k' noenhanced
set ylabel 'mean largest weight' noenhanced
set logscale x
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 0.2994428517
2 0.3974621195
4 0.5392549695
8 0.6471845624
16 0.7580465031
32 0.8217193792
64 0.867901228
128 0.9136168933
256 0.9423536464
512 0.9569869485
1024 0.9564462556
2048 0.9779625059
EOD
$s1 << EOD
1 0.2994428517
2 0.3209331613
4 0.3521654715
8 0.3508333905
16 0.3655168831
32 0.355653636
64 0.3603194111
128 0.358362741
256 0.3599550967
512 0.3656713804
1024 0.3613748857
2048 0.3563181152
EOD
$s2 << EOD
1 0.125
2 0.125
4 0.125
8 0.125
16 0.125
32 0.125
64 0.125
128 0.125
256 0.125
512 0.125
1024 0.125
2048 0.125
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'unscaled scores', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'scores / sqrt(d_k)', \
    $s2 using 1:2 with lines lw 2 title '1/n (a uniform softmax)'
