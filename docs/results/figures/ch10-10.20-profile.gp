# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Attention entropy of each head by layer' noenhanced
set xlabel 'layer' noenhanced
set ylabel 'entropy (nats)' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
0 2.086391769
1 2.395766168
2 0.6102582486
3 0.678160833
EOD
$s1 << EOD
0 0.8617013915
1 0.9702507314
2 0.5616317377
3 0.9609305859
EOD
$s2 << EOD
0 0.6358899499
1 2.687327532
2 0.7995526413
3 0.823558436
EOD
$s3 << EOD
0 1.383365395
1 1.829281405
2 1.44443953
3 1.831589461
EOD
$s4 << EOD
0 3.17805383
3 3.17805383
EOD
$s5 << EOD
0 3.177754479
3 3.177754479
EOD
$s6 << EOD
0 1.589026915
3 1.589026915
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'head 0', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'head 1', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'head 2', \
    $s3 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'head 3', \
    $s4 using 1:2 with lines lw 2 title 'ln n (uniform rows)', \
    $s5 using 1:2 with lines lw 2 title 'untrained model (mean)', \
    $s6 using 1:2 with lines lw 2 title 'your threshold'
